using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>
    /// The metadata block and archive table at the start of a whisper file, read and checked once per open.
    /// Stricter than whisper: offsets, sizes, order and the stored max retention must all be consistent, so a
    /// damaged header is reported as corrupt instead of steering reads and writes to the wrong bytes.
    /// </summary>
    public sealed class WhisperHeader
    {
        /// <summary>Bytes of the metadata block: aggregation, max retention, xFilesFactor, archive count.</summary>
        public const int MetadataSize = 16;

        /// <summary>Bytes of one archive-table entry: offset, seconds per point, points.</summary>
        public const int ArchiveInfoSize = 12;

        internal WhisperHeader(AggregationMethod method, long maxRetention, float xFilesFactor, IReadOnlyList<ArchiveInfo> archives)
        {
            AggregationMethod = method;
            MaxRetention = maxRetention;
            XFilesFactor = xFilesFactor;
            Archives = archives;
        }

        public AggregationMethod AggregationMethod { get; }

        /// <summary>Retention of the coarsest archive, in seconds, as stored.</summary>
        public long MaxRetention { get; }

        /// <summary>Stored as float32; propagation compares against this value widened to double, as whisper does.</summary>
        public float XFilesFactor { get; }

        /// <summary>Finest first.</summary>
        public IReadOnlyList<ArchiveInfo> Archives { get; }

        public int Size => HeaderSize(Archives.Count);

        /// <summary>Bytes the header and every archive take: the file's expected length.</summary>
        public long FileSize => Archives[Archives.Count - 1].End;

        public static int HeaderSize(int archiveCount) => MetadataSize + ArchiveInfoSize * archiveCount;

        /// <summary>Builds the header a new file with these archives gets.</summary>
        internal static WhisperHeader ForNewFile(IReadOnlyList<ArchiveSpec> sortedArchives, AggregationMethod method, float xff)
        {
            var infos = new List<ArchiveInfo>(sortedArchives.Count);
            long offset = HeaderSize(sortedArchives.Count);
            long maxRetention = 0;
            foreach (var a in sortedArchives)
            {
                infos.Add(new ArchiveInfo(offset, a.SecondsPerPoint, a.Points));
                offset += a.Points * Point.Size;
                maxRetention = Math.Max(maxRetention, a.Retention);
            }
            return new WhisperHeader(method, maxRetention, xff, infos);
        }

        /// <summary>The whole header as it is written at offset 0.</summary>
        internal byte[] Encode()
        {
            var b = new byte[Size];
            EncodeMetadata(b, AggregationMethod, MaxRetention, XFilesFactor, Archives.Count);
            int p = MetadataSize;
            foreach (var a in Archives)
            {
                BigEndian.WriteUInt32(b, p, (uint)a.Offset);
                BigEndian.WriteUInt32(b, p + 4, (uint)a.SecondsPerPoint);
                BigEndian.WriteUInt32(b, p + 8, (uint)a.Points);
                p += ArchiveInfoSize;
            }
            return b;
        }

        internal static void EncodeMetadata(byte[] b, AggregationMethod method, long maxRetention, float xff, int archiveCount)
        {
            BigEndian.WriteUInt32(b, 0, (uint)method);
            BigEndian.WriteUInt32(b, 4, (uint)maxRetention);
            BigEndian.WriteSingle(b, 8, xff);
            BigEndian.WriteUInt32(b, 12, (uint)archiveCount);
        }

        /// <summary>Validates an xFilesFactor the way whisper does, but also refuses NaN, which whisper would
        /// write and then fail to read back.</summary>
        public static float CheckXFilesFactor(double xff) => CheckXFilesFactor(xff, null);

        internal static float CheckXFilesFactor(double xff, string path)
        {
            if (double.IsNaN(xff) || xff < 0 || xff > 1)
                throw new InvalidXFilesFactorException("Invalid xFilesFactor " +
                    xff.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ", not between 0 and 1" +
                    WhisperException.FileSuffix(path));
            return (float)xff;
        }

        internal static void CheckMethod(AggregationMethod method, string path = null)
        {
            if (!Aggregation.IsDefined(method))
                throw new InvalidAggregationMethodException("Unrecognized aggregation method: " + (int)method +
                    WhisperException.FileSuffix(path));
        }

        /// <summary>Reads and checks the header through <paramref name="read"/>, which fills a buffer from a file offset
        /// and returns the bytes it got.</summary>
        internal static WhisperHeader Read(Func<long, byte[], int, int> read, long fileLength, string path)
        {
            var meta = new byte[MetadataSize];
            if (fileLength < MetadataSize || read(0, meta, MetadataSize) != MetadataSize)
                throw new CorruptWhisperFileException("Unable to read header: the file is " + fileLength +
                    " bytes, shorter than the 16-byte metadata block", path);

            uint type = BigEndian.ReadUInt32(meta, 0);
            uint maxRetention = BigEndian.ReadUInt32(meta, 4);
            float xff = BigEndian.ReadSingle(meta, 8);
            uint count = BigEndian.ReadUInt32(meta, 12);

            if (type < 1 || type > 8)
                throw new CorruptWhisperFileException("Unable to read header: aggregation type " + type + " is not 1 to 8", path);
            if (!(xff >= 0 && xff <= 1))
                throw new CorruptWhisperFileException("Unable to read header: xFilesFactor " +
                    xff.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " is not between 0 and 1", path);
            if (count == 0)
                throw new CorruptWhisperFileException("Unable to read header: the file declares no archives", path);
            // Checked against the length before allocating, so a hostile count cannot cost memory.
            if (count > (fileLength - MetadataSize) / ArchiveInfoSize)
                throw new CorruptWhisperFileException("Unable to read archive0 metadata: " + count +
                    " archives do not fit in a file of " + fileLength + " bytes", path);

            int tableSize = (int)count * ArchiveInfoSize;
            var table = new byte[tableSize];
            int got = read(MetadataSize, table, tableSize);
            if (got != tableSize)
                throw new CorruptWhisperFileException("Unable to read archive" + (got / ArchiveInfoSize) + " metadata", path);

            var archives = new List<ArchiveInfo>((int)count);
            long expectedOffset = HeaderSize((int)count);
            long largest = 0;
            for (int i = 0; i < count; i++)
            {
                int p = i * ArchiveInfoSize;
                var a = new ArchiveInfo(BigEndian.ReadUInt32(table, p), BigEndian.ReadUInt32(table, p + 4), BigEndian.ReadUInt32(table, p + 8));
                string where = "archive" + i + " metadata: ";
                if (a.SecondsPerPoint == 0 || a.Points == 0)
                    throw new CorruptWhisperFileException("Unable to read " + where + "seconds per point " + a.SecondsPerPoint +
                        " and points " + a.Points + " must both be at least 1", path);
                if (a.Offset != expectedOffset)
                    throw new CorruptWhisperFileException("Unable to read " + where + "offset " + a.Offset + " should be " +
                        expectedOffset + " (archives overlap or leave a gap)", path);
                if (a.End > fileLength)
                    throw new CorruptWhisperFileException("Unable to read " + where + "its data ends at byte " + a.End +
                        " but the file is " + fileLength + " bytes (truncated?)", path);
                if (i > 0)
                {
                    var prev = archives[i - 1];
                    if (a.SecondsPerPoint <= prev.SecondsPerPoint || a.SecondsPerPoint % prev.SecondsPerPoint != 0 ||
                        a.Points * a.SecondsPerPoint <= prev.Retention || prev.Points < a.SecondsPerPoint / prev.SecondsPerPoint)
                        throw new CorruptWhisperFileException("Unable to read " + where + a.Spec.SecondsPerPoint + "s x " + a.Points +
                            " does not follow archive" + (i - 1) + " (" + prev.SecondsPerPoint + "s x " + prev.Points +
                            ") under whisper's archive rules", path);
                }
                largest = Math.Max(largest, a.Retention);
                expectedOffset = a.End;
                archives.Add(a);
            }
            if (largest != maxRetention)
                throw new CorruptWhisperFileException("Unable to read header: maxRetention " + maxRetention +
                    " does not match the largest archive retention " + largest, path);

            return new WhisperHeader((AggregationMethod)type, maxRetention, xff, archives);
        }
    }
}
