using System.Collections.Generic;
using System.IO;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine.Tests.Support
{
    /// <summary>One-line wrappers so tests read as whisper's module functions do (create, update, fetch...).</summary>
    public static class W
    {
        public static ArchiveSpec A(long secondsPerPoint, long points) => new ArchiveSpec(secondsPerPoint, points);

        public static string Create(string path, double xff, AggregationMethod method, params ArchiveSpec[] archives)
        {
            WhisperFile.Create(path, archives, xff, method);
            return path;
        }

        public static string Create(string path, params ArchiveSpec[] archives) => Create(path, 0.5, AggregationMethod.Average, archives);

        public static void Update(string path, double value, long? timestamp, long now)
        {
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.Update(value, timestamp, now);
        }

        public static UpdateResult UpdateMany(string path, long now, params Point[] points) => UpdateMany(path, now, (IEnumerable<Point>)points);

        public static UpdateResult UpdateMany(string path, long now, IEnumerable<Point> points)
        {
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) return f.UpdateMany(new List<Point>(points), now);
        }

        public static FetchResult Fetch(string path, long from, long? until, long now, long? secondsPerPoint = null)
        {
            using (var f = WhisperFile.Open(path)) return f.Fetch(from, until, now, secondsPerPoint);
        }

        public static Point P(long t, double v) => new Point(t, v);

        /// <summary>The raw 12-byte slot <paramref name="index"/> of archive <paramref name="archive"/>.</summary>
        public static (uint Timestamp, double Value) Slot(string path, int archive, int index)
        {
            var header = WhisperFile.ReadHeader(path);
            var bytes = File.ReadAllBytes(path);
            int p = (int)header.Archives[archive].Offset + index * Point.Size;
            return (BigEndian.ReadUInt32(bytes, p), BigEndian.ReadDouble(bytes, p + 4));
        }

        /// <summary>All (timestamp, value) slots of an archive with a timestamp, in slot order.</summary>
        public static List<(uint Timestamp, double Value)> Slots(string path, int archive)
        {
            var header = WhisperFile.ReadHeader(path);
            var bytes = File.ReadAllBytes(path);
            var a = header.Archives[archive];
            var list = new List<(uint, double)>();
            for (int i = 0; i < a.Points; i++)
            {
                int p = (int)a.Offset + i * Point.Size;
                uint t = BigEndian.ReadUInt32(bytes, p);
                if (t != 0) list.Add((t, BigEndian.ReadDouble(bytes, p + 4)));
            }
            return list;
        }
    }
}
