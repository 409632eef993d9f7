using System;
using System.Collections.Generic;
using System.Globalization;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine.Validation
{
    /// <summary>Options for <see cref="WhisperValidator.Validate"/>.</summary>
    public sealed class ValidationOptions
    {
        /// <summary>Unix seconds that "future" is measured from. Default: the clock.</summary>
        public long? Now { get; set; }

        /// <summary>Also check every coarse point against the finer points it was computed from, where whisper must
        /// have computed it from them: windows wholly inside the finer archive's lap and younger than its retention at
        /// <see cref="Now"/> (older points may have been written straight into the coarse archive). To check an old,
        /// no longer written file, set Now to its last update.</summary>
        public bool Rollups { get; set; }

        /// <summary>Slot findings listed one by one per code and archive; the rest are counted in one more finding
        /// with no slot. Keeps a garbage file's report (and memory) small.</summary>
        public int MaxSlotFindings { get; set; } = 10;
    }

    /// <summary>What <see cref="WhisperValidator.Validate"/> found in one file.</summary>
    public sealed class ValidationResult
    {
        internal ValidationResult(string path, long fileSize, IReadOnlyList<WhisperFinding> findings)
        {
            Path = path;
            FileSize = fileSize;
            Findings = findings;
        }

        public string Path { get; }
        public long FileSize { get; }
        public IReadOnlyList<WhisperFinding> Findings { get; }

        /// <summary>No finding of severity Error.</summary>
        public bool IsValid
        {
            get
            {
                foreach (var f in Findings) if (f.Severity == FindingSeverity.Error) return false;
                return true;
            }
        }
    }

    /// <summary>
    /// Checks a whisper file far beyond whisper's header read: the header against whisper's creation rules and the
    /// file's size, then every slot of every archive against its step and its ring's anchor, optionally every rollup
    /// against its finer data. Reads under a shared lock, the data in 256 KB chunks: memory stays bounded whatever the
    /// file claims, and time is one sequential read (plus, with Rollups, two small reads per coarse slot the finer
    /// archive still covers).
    /// </summary>
    /// <remarks>
    /// Ring rules, per archive with step s, n points, retention r = s*n and anchor B = slot 0's timestamp:
    /// a slot holding t != 0 must have t % s == 0 (else SlotMisaligned) and, when B != 0, sit at index
    /// floor((t - B) / s) mod n (else SlotOutOfPlace); when B == 0 whisper considers the archive empty, so any other
    /// point is SlotWithoutAnchor. Let N be the newest well-placed timestamp not after now. A point after now is
    /// SlotFutureLap when N exists and t &gt;= N + r (a lap or more ahead of everything the ring holds up to now: a
    /// clock error or damage, which also hides the current lap's point for that slot), otherwise SlotInFuture.
    /// </remarks>
    public static class WhisperValidator
    {
        /// <summary>Validates one file. Exceptions are only for files that cannot be opened or read at all
        /// (missing, a folder, access denied, I/O errors); anything about the bytes is a finding.</summary>
        public static ValidationResult Validate(string path, ValidationOptions options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            options = options ?? new ValidationOptions();
            long now = options.Now ?? Clock.UnixNow();
            RandomAccessFile file;
            try
            {
                file = RandomAccessFile.Open(path, FileOpenMode.Read);
            }
            catch (Exception) when (!RandomAccessFile.IsWindows && System.IO.Directory.Exists(path))
            {
                throw UnixFile.IsDirectory(path);
            }
            using (file)
            {
                var v = new Run(file, now, options);
                v.Check();
                return new ValidationResult(path, v.Length, v.Findings);
            }
        }

        // Counts above this are not taken for a truncated table: real schemas have a handful of archives.
        private const long PlausibleArchiveCount = 64;

        private sealed class Archive
        {
            internal long Offset, Step, Points;
            internal long Retention => Step * Points;
            internal long End => Offset + Points * Point.Size;
            internal bool Usable;   // its slots can be read and placed
            internal long Anchor;   // slot 0's timestamp
            internal bool Anchored; // anchor non-zero and aligned
            internal long Newest;   // newest well-placed timestamp not after now (0: none)
        }

        private sealed class Run
        {
            private readonly RandomAccessFile _file;
            private readonly long _now;
            private readonly ValidationOptions _options;
            private readonly Dictionary<(string, int), int> _slotCounts = new Dictionary<(string, int), int>();
            private readonly Dictionary<(string, int), FindingSeverity> _slotSeverity = new Dictionary<(string, int), FindingSeverity>();
            internal readonly List<WhisperFinding> Findings = new List<WhisperFinding>();
            internal long Length;
            private int _method;
            private float _xff;

            internal Run(RandomAccessFile file, long now, ValidationOptions options)
            {
                _file = file;
                _now = now;
                _options = options;
            }

            private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

            private void Add(string code, FindingSeverity severity, int? archive, long? slot, string message)
            {
                Findings.Add(new WhisperFinding(code, severity, archive, slot, message));
            }

            private void AddSlot(string code, FindingSeverity severity, int archive, long slot, string message)
            {
                var key = (code, archive);
                _slotCounts.TryGetValue(key, out int count);
                _slotCounts[key] = count + 1;
                _slotSeverity[key] = severity;
                if (count < _options.MaxSlotFindings) Add(code, severity, archive, slot, message);
            }

            private void FlushSlotCounts()
            {
                foreach (var kv in _slotCounts)
                {
                    int more = kv.Value - _options.MaxSlotFindings;
                    if (more > 0)
                        Add(kv.Key.Item1, _slotSeverity[kv.Key], kv.Key.Item2, null, N(more) + " more slot(s) of archive " +
                            N(kv.Key.Item2) + " have this finding (" + N(kv.Value) + " in all).");
                }
            }

            private int ReadAt(long offset, byte[] buffer, int count)
            {
                int total = 0;
                while (total < count)
                {
                    int n = _file.Read(offset + total, buffer, total, count - total);
                    if (n <= 0) break;
                    total += n;
                }
                return total;
            }

            internal void Check()
            {
                Length = _file.Length;
                var archives = CheckHeader();
                if (archives == null) return;
                for (int i = 0; i < archives.Count; i++)
                    if (archives[i].Usable) CheckSlots(i, archives[i]);
                if (_options.Rollups && Aggregation.IsDefined((AggregationMethod)_method))
                    for (int i = 1; i < archives.Count; i++)
                        if (archives[i].Usable && archives[i - 1].Usable && archives[i - 1].Anchored &&
                            (archives[i].Anchor == 0 || archives[i].Anchored) &&
                            archives[i].Step % archives[i - 1].Step == 0 && archives[i].Step > archives[i - 1].Step &&
                            archives[i - 1].Points >= archives[i].Step / archives[i - 1].Step)
                            CheckRollups(i, archives[i - 1], archives[i]);
                FlushSlotCounts();
            }

            // The header: metadata, archive table, whisper's archive rules, size. Returns null when the archive
            // table itself cannot be read.
            private List<Archive> CheckHeader()
            {
                var meta = new byte[WhisperHeader.MetadataSize];
                if (Length < WhisperHeader.MetadataSize || ReadAt(0, meta, meta.Length) != meta.Length)
                {
                    Add(FindingCodes.FileTooShort, FindingSeverity.Error, null, null,
                        "The file is " + N(Length) + " bytes, shorter than the 16-byte metadata block.");
                    return null;
                }
                uint type = BigEndian.ReadUInt32(meta, 0);
                long maxRetention = BigEndian.ReadUInt32(meta, 4);
                _xff = BigEndian.ReadSingle(meta, 8);
                long count = BigEndian.ReadUInt32(meta, 12);
                _method = type <= 8 ? (int)type : 0;
                if (type < 1 || type > 8)
                    Add(FindingCodes.AggregationUnknown, FindingSeverity.Error, null, null,
                        "Aggregation type " + N(type) + " is not one of whisper's codes 1 to 8.");
                else if (type >= 6)
                    Add(FindingCodes.AggregationNotGoCarbon, FindingSeverity.Warning, null, null,
                        "Aggregation type " + N(type) + " (" + Aggregation.ToWhisperName((AggregationMethod)type) + ") is whisper 1.1's; go-carbon's go-whisper " +
                        (type == 6 ? "reads code 6 as 'first' and rolls up differently." : "reads code " + N(type) + " as '" + (type == 7 ? "mix" : "percentile") + "' and fails every rollup of a plain file."));
                if (!(_xff >= 0 && _xff <= 1))
                    Add(FindingCodes.XFilesFactorInvalid, FindingSeverity.Error, null, null,
                        "xFilesFactor " + _xff.ToString("R", CultureInfo.InvariantCulture) + " is not between 0 and 1.");
                if (count == 0)
                {
                    Add(FindingCodes.ArchiveCountZero, FindingSeverity.Error, null, null, "The header declares no archives.");
                    CheckSize(WhisperHeader.MetadataSize);
                    return null;
                }
                // Each archive takes a 12-byte table entry and at least one 12-byte slot. A plausible count whose table
                // is cut off is a truncated file; any other count that cannot fit is damage in the count itself.
                long fits = (Length - WhisperHeader.MetadataSize) / (WhisperHeader.ArchiveInfoSize + Point.Size);
                if (count > fits)
                {
                    long tableEnd = WhisperHeader.MetadataSize + count * WhisperHeader.ArchiveInfoSize;
                    if (count <= PlausibleArchiveCount && tableEnd > Length)
                        Add(FindingCodes.FileTruncated, FindingSeverity.Error, null, null,
                            "The file is " + N(Length) + " bytes and ends inside its table of " + N(count) + " archives (" + N(tableEnd) + " bytes).");
                    else
                        Add(FindingCodes.ArchiveCountExcessive, FindingSeverity.Error, null, null,
                            "The header declares " + N(count) + " archives; a file of " + N(Length) + " bytes holds at most " + N(fits) + ".");
                    return null;
                }
                int headerSize = WhisperHeader.HeaderSize((int)count);
                var table = new byte[headerSize - WhisperHeader.MetadataSize];
                ReadAt(WhisperHeader.MetadataSize, table, table.Length); // fits: checked above
                var archives = new List<Archive>((int)count);
                long expected = headerSize, largest = 0, dataSize = 0;
                bool layoutOk = true;
                for (int i = 0; i < count; i++)
                {
                    int p = i * WhisperHeader.ArchiveInfoSize;
                    var a = new Archive
                    {
                        Offset = BigEndian.ReadUInt32(table, p),
                        Step = BigEndian.ReadUInt32(table, p + 4),
                        Points = BigEndian.ReadUInt32(table, p + 8),
                    };
                    archives.Add(a);
                    bool shapeOk = true;
                    if (a.Step == 0)
                    {
                        Add(FindingCodes.ArchiveStepZero, FindingSeverity.Error, i, null, "Archive " + N(i) + " has 0 seconds per point.");
                        shapeOk = false;
                    }
                    if (a.Points == 0)
                    {
                        Add(FindingCodes.ArchivePointsZero, FindingSeverity.Error, i, null, "Archive " + N(i) + " has 0 points.");
                        shapeOk = false;
                    }
                    if (a.Offset != expected)
                    {
                        Add(FindingCodes.ArchiveOffsetMismatch, FindingSeverity.Error, i, null,
                            "Archive " + N(i) + " starts at byte " + N(a.Offset) + " but should start at " + N(expected) + OffsetWhere(a.Offset, archives, headerSize) + ".");
                        layoutOk = false;
                    }
                    if (i > 0 && shapeOk && archives[i - 1].Step > 0 && archives[i - 1].Points > 0)
                        CheckRules(i, archives[i - 1], a);
                    largest = Math.Max(largest, a.Retention);
                    dataSize += a.Points * Point.Size;
                    expected = a.Offset + a.Points * Point.Size;
                    a.Usable = shapeOk;
                }
                if (largest != maxRetention)
                    Add(FindingCodes.MaxRetentionMismatch, FindingSeverity.Error, null, null,
                        "maxRetention is " + N(maxRetention) + " s but the largest archive retention is " + N(largest) + " s.");
                CheckSize(headerSize + dataSize);
                foreach (var a in archives)
                    a.Usable &= layoutOk && a.End <= Length;
                return archives;
            }

            private static string OffsetWhere(long offset, List<Archive> archives, int headerSize)
            {
                if (offset < headerSize) return " (inside the header)";
                for (int k = 0; k < archives.Count - 1; k++)
                    if (offset >= archives[k].Offset && offset < archives[k].End)
                        return " (inside archive " + N(k) + ")";
                return offset > archives[archives.Count - 1].Offset ? "" : " (overlapping)";
            }

            // whisper's validateArchiveList, between neighbours in stored order.
            private void CheckRules(int i, Archive prev, Archive a)
            {
                string which = "Archive " + N(i) + " (" + N(a.Step) + "s x " + N(a.Points) + ") after archive " + N(i - 1) +
                    " (" + N(prev.Step) + "s x " + N(prev.Points) + "): ";
                if (a.Step <= prev.Step)
                    Add(FindingCodes.ArchiveOrder, FindingSeverity.Error, i, null, which + (a.Step == prev.Step
                        ? "two archives with the same precision." : "archives are not sorted finest first."));
                else if (a.Step % prev.Step != 0)
                    Add(FindingCodes.ArchiveStepNotMultiple, FindingSeverity.Error, i, null, which + "the finer step does not divide the coarser one.");
                if (a.Retention <= prev.Retention)
                    Add(FindingCodes.ArchiveRetentionNotLonger, FindingSeverity.Error, i, null, which + "a coarser archive must cover a longer time.");
                if (a.Step > prev.Step && prev.Points < a.Step / prev.Step)
                    Add(FindingCodes.ArchiveTooFewPoints, FindingSeverity.Error, i, null,
                        which + "the finer archive has fewer points than one coarse point consolidates (" + N(a.Step / prev.Step) + ").");
            }

            private void CheckSize(long expected)
            {
                if (Length < expected)
                    Add(FindingCodes.FileTruncated, FindingSeverity.Error, null, null,
                        "The file is " + N(Length) + " bytes but its header describes " + N(expected) + " (" + N(expected - Length) + " bytes missing).");
                else if (Length > expected)
                    Add(FindingCodes.FileTooLong, FindingSeverity.Warning, null, null,
                        "The file is " + N(Length) + " bytes but its header describes " + N(expected) + "; whisper ignores the last " + N(Length - expected) + ".");
            }

            private void CheckSlots(int index, Archive a)
            {
                long step = a.Step, points = a.Points;
                long anchor = -1;
                var future = new List<(long Slot, long Time)>();
                const int Chunk = (1 << 18) - (1 << 18) % Point.Size;
                var buffer = new byte[(int)Math.Min(Chunk, a.Points * Point.Size)];
                for (long done = 0; done < points;)
                {
                    int slots = (int)Math.Min(buffer.Length / Point.Size, points - done);
                    int got = ReadAt(a.Offset + done * Point.Size, buffer, slots * Point.Size);
                    if (got != slots * Point.Size) return; // shrank while we read; the size check has spoken
                    if (anchor < 0)
                    {
                        anchor = BigEndian.ReadUInt32(buffer, 0);
                        a.Anchor = anchor;
                        a.Anchored = anchor != 0 && anchor % step == 0;
                    }
                    for (int j = 0; j < slots; j++)
                    {
                        long slot = done + j;
                        long t = BigEndian.ReadUInt32(buffer, j * Point.Size);
                        if (t == 0) continue;
                        if (t % step != 0)
                        {
                            AddSlot(FindingCodes.SlotMisaligned, FindingSeverity.Error, index, slot,
                                "Slot " + N(slot) + " holds timestamp " + N(t) + ", not a multiple of the " + N(step) + "-second step" +
                                (slot == 0 ? "; the whole archive is anchored on it." : "."));
                            continue;
                        }
                        if (anchor == 0)
                        {
                            AddSlot(FindingCodes.SlotWithoutAnchor, FindingSeverity.Error, index, slot,
                                "Slot " + N(slot) + " holds timestamp " + N(t) + " but slot 0 is empty, so whisper reads the archive as empty.");
                            continue;
                        }
                        if (!a.Anchored) continue; // slot 0 misaligned: reported; positions mean nothing
                        long at = PyMath.FloorMod(PyMath.FloorDiv(t - anchor, step), points);
                        if (at != slot)
                        {
                            AddSlot(FindingCodes.SlotOutOfPlace, FindingSeverity.Error, index, slot,
                                "Slot " + N(slot) + " holds timestamp " + N(t) + ", which belongs in slot " + N(at) + " given the anchor " + N(anchor) + " in slot 0.");
                            continue;
                        }
                        if (t > _now)
                        {
                            if (future.Count < 100_000) future.Add((slot, t));
                            else AddSlot(FindingCodes.SlotInFuture, FindingSeverity.Warning, index, slot, FutureMessage(slot, t));
                        }
                        else if (t > a.Newest) a.Newest = t;
                    }
                    done += slots;
                }
                foreach (var (slot, t) in future)
                {
                    if (a.Newest != 0 && t >= a.Newest + a.Retention)
                        AddSlot(FindingCodes.SlotFutureLap, FindingSeverity.Error, index, slot,
                            FutureMessage(slot, t) + " It is " + N(t - a.Newest) + " s after the archive's newest point up to now (" + N(a.Newest) +
                            "), a lap or more ahead of the " + N(a.Retention) + "-second ring.");
                    else
                        AddSlot(FindingCodes.SlotInFuture, FindingSeverity.Warning, index, slot, FutureMessage(slot, t));
                }
            }

            private string FutureMessage(long slot, long t) =>
                "Slot " + N(slot) + " holds timestamp " + N(t) + ", " + N(t - _now) + " s after now (" + N(_now) + "): no read shows it until then.";

            // Each coarse interval T whose finer window lies where the finer ring still holds its lap: the coarse slot
            // must hold T with whisper's aggregate when the known fraction meets xFilesFactor, and must not hold T
            // otherwise. A finer slot holding a newer timestamp than its place in the window means that lap is gone:
            // the window is skipped.
            private void CheckRollups(int index, Archive fine, Archive coarse)
            {
                if (fine.Newest == 0) return;
                var method = (AggregationMethod)_method;
                long fs = fine.Step, cs = coarse.Step;
                int k = (int)(cs / fs);
                var values = new double[k];
                var known = new bool[k];
                // Only windows wholly inside the finer ring's lap: a window straddling its start may have been
                // written partly through the finer archive and partly straight into the coarse one (update_many sends
                // points older than the finer retention there), so no aggregate describes it. And only windows younger
                // than the finer retention at now: a point older than that when written went straight into a coarser
                // archive (whisper picks the archive by age), which no writer's clock before now can do for these.
                long first = PyMath.Align(Math.Max(fine.Newest, _now) - fine.Retention + fs + cs - 1, cs);
                long last = PyMath.Align(fine.Newest, cs);
                if (first > last) return;
                // Consecutive windows are consecutive slots in both rings: read them in batches of up to 256 KB.
                long windows = (last - first) / cs + 1;
                int batch = (int)Math.Max(1, Math.Min(Math.Min(windows, ((1 << 18) / Point.Size) / k), Math.Min(fine.Points / k, coarse.Points)));
                var fineBuf = new byte[batch * k * Point.Size];
                var coarseBuf = new byte[batch * Point.Size];
                bool coarseAnchored = coarse.Anchor != 0 && coarse.Anchored;
                for (long w0 = 0; w0 < windows; w0 += batch)
                {
                    int n = (int)Math.Min(batch, windows - w0);
                    long t0 = first + w0 * cs;
                    if (!ReadRing(fine, t0, fineBuf, n * k)) return;
                    if (coarseAnchored && !ReadRing(coarse, t0, coarseBuf, n)) return;
                    for (int w = 0; w < n; w++)
                    {
                        long t = t0 + w * cs;
                        int knownCount = 0;
                        bool covered = true;
                        for (int j = 0; j < k; j++)
                        {
                            int at = (w * k + j) * Point.Size;
                            long st = BigEndian.ReadUInt32(fineBuf, at);
                            long expected = t + j * fs;
                            known[j] = st == expected;
                            values[j] = known[j] ? BigEndian.ReadDouble(fineBuf, at + 4) : 0;
                            if (known[j]) knownCount++;
                            else if (st > expected) covered = false;
                        }
                        if (!covered) continue;
                        bool has = coarseAnchored && BigEndian.ReadUInt32(coarseBuf, w * Point.Size) == t;
                        double stored = has ? BigEndian.ReadDouble(coarseBuf, w * Point.Size + 4) : 0;
                        long coarseSlot = coarseAnchored ? PyMath.FloorMod(PyMath.FloorDiv(t - coarse.Anchor, cs), coarse.Points) : 0;
                        bool propagates = knownCount > 0 && (double)knownCount / k >= _xff;
                        if (propagates)
                        {
                            double agg = Aggregation.Aggregate(method, values, known, k, knownCount);
                            if (!has)
                                AddSlot(FindingCodes.RollupMissing, FindingSeverity.Warning, index, coarseSlot,
                                    "Slot " + N(coarseSlot) + " holds no point" + RollupAt(t, knownCount, k) + "; whisper would have written " + R(agg) + ".");
                            else if (!stored.Equals(agg))
                                AddSlot(FindingCodes.RollupMismatch, FindingSeverity.Warning, index, coarseSlot,
                                    "Slot " + N(coarseSlot) + " holds " + R(stored) + RollupAt(t, knownCount, k) + "; the finer points give " + R(agg) + ".");
                        }
                        else if (has)
                        {
                            AddSlot(FindingCodes.RollupUnexpected, FindingSeverity.Warning, index, coarseSlot,
                                "Slot " + N(coarseSlot) + " holds " + R(stored) + RollupAt(t, knownCount, k) + ", too few for whisper to have written it.");
                        }
                    }
                }
            }

            private string RollupAt(long t, int knownCount, int k) => " for " + N(t) + " (" + N(knownCount) + " of " + N(k) +
                " finer points known, xFilesFactor " + _xff.ToString("R", CultureInfo.InvariantCulture) + ")";

            private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

            // The k slots of an archive from interval t on, in ring order (two reads when they wrap).
            private bool ReadRing(Archive a, long t, byte[] buffer, int k)
            {
                if (k > a.Points) return false;
                long start = PyMath.FloorMod(PyMath.FloorDiv(t - a.Anchor, a.Step), a.Points);
                int firstPart = (int)Math.Min(k, a.Points - start);
                if (ReadAt(a.Offset + start * Point.Size, buffer, firstPart * Point.Size) != firstPart * Point.Size) return false;
                if (firstPart == k) return true;
                int rest = (k - firstPart) * Point.Size;
                if (rest > a.Points * Point.Size) return false;
                var tmp = new byte[rest];
                if (ReadAt(a.Offset, tmp, rest) != rest) return false;
                Buffer.BlockCopy(tmp, 0, buffer, firstPart * Point.Size, rest);
                return true;
            }
        }
    }
}
