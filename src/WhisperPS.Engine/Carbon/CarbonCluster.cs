using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using WhisperPS.Engine.Comparison;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>One node's storage as the cluster tools see it: a local or mounted LOCAL_DATA_DIR.</summary>
    public sealed class CarbonNodeStorage
    {
        public CarbonNodeStorage(CarbonDestination node, string root, bool inRing)
        {
            Node = node;
            Root = root;
            InRing = inRing;
        }

        public CarbonDestination Node { get; }

        public string Root { get; }

        /// <summary>False for a node that left the ring (being drained).</summary>
        public bool InRing { get; }
    }

    /// <summary>Where one metric should be and where it is.</summary>
    public sealed class CarbonMetricState
    {
        internal CarbonMetricState(string metric, string relativePath, IReadOnlyList<CarbonDestination> owners)
        {
            Metric = metric;
            RelativePath = relativePath;
            Owners = owners.ToArray();
        }

        public string Metric { get; }

        /// <summary>The file under each storage root, with '/' separators.</summary>
        public string RelativePath { get; }

        /// <summary>The nodes the ring assigns it to, first owner first.</summary>
        public CarbonDestination[] Owners { get; }

        /// <summary>Every node holding a copy, and the copy's full path.</summary>
        public Dictionary<CarbonDestination, string> Copies { get; } = new Dictionary<CarbonDestination, string>();

        /// <summary>Owners without a copy: the metric is under-replicated there.</summary>
        public CarbonDestination[] MissingOn { get; internal set; } = new CarbonDestination[0];

        /// <summary>Ring nodes that hold a copy but do not own the metric.</summary>
        public CarbonDestination[] MisplacedOn { get; internal set; } = new CarbonDestination[0];

        /// <summary>Nodes outside the ring (leaving) that hold a copy.</summary>
        public CarbonDestination[] OrphanedOn { get; internal set; } = new CarbonDestination[0];

        /// <summary>Slots where the owners' copies differ (a point on one side only, or different values); null when not compared.</summary>
        public long? DifferingSlots { get; internal set; }

        /// <summary>Slots one owner copy holds and another lacks (part of DifferingSlots).</summary>
        public long? MissingSlots { get; internal set; }

        public bool UnderReplicated => MissingOn.Length > 0;

        /// <summary>No owner has a copy: only misplaced or orphaned copies hold the data.</summary>
        public bool OnlyElsewhere => MissingOn.Length == Owners.Length && Copies.Count > 0;

        public bool Healthy => MissingOn.Length == 0 && MisplacedOn.Length == 0 && OrphanedOn.Length == 0 && (DifferingSlots ?? 0) == 0;
    }

    /// <summary>What Sync did (or, planning, would do) to one file.</summary>
    public enum CarbonSyncAction
    {
        /// <summary>Copied the whole file to an owner that had none.</summary>
        Copy,

        /// <summary>Filled an owner copy's empty slots from the other copies.</summary>
        Fill,

        /// <summary>Checked that every point of a copy to be removed is on every owner.</summary>
        Verify,

        /// <summary>Removed a copy from a node that does not own the metric, after it was verified.</summary>
        Remove,

        /// <summary>Kept a copy that could not be verified, or that -KeepMisplaced keeps.</summary>
        Keep,
    }

    public sealed class CarbonSyncStep
    {
        internal CarbonSyncStep(string metric, CarbonSyncAction action, CarbonDestination node, string path, string source, bool planned)
        {
            Metric = metric;
            Action = action;
            Node = node;
            Path = path;
            Source = source;
            Planned = planned;
        }

        public string Metric { get; }

        public CarbonSyncAction Action { get; }

        public CarbonDestination Node { get; }

        public string Path { get; }

        public string Source { get; }

        /// <summary>True under -WhatIf: nothing was changed.</summary>
        public bool Planned { get; }

        /// <summary>Fill: slots filled; Verify: slots of the old copy missing on an owner (0 = verified).</summary>
        public long Slots { get; internal set; }

        public bool Succeeded { get; internal set; } = true;

        public string Message { get; internal set; }
    }

    /// <summary>Inventory and repair of a carbon cluster's whisper files against its ring.</summary>
    public static class CarbonCluster
    {
        /// <summary>Prefix of the temporary files a copy writes beside its target; a later run removes leftovers.</summary>
        public const string TempPrefix = ".whisperps-sync-";

        /// <summary>
        /// Scans every node's storage root and places each metric found against the ring. carbon.agents.*
        /// (node-local self-metrics) and tagged series stored by hash (their name cannot be read from the path)
        /// are skipped.
        /// </summary>
        public static List<CarbonMetricState> Scan(CarbonRing ring, int replicationFactor, bool diverseReplicas,
            IReadOnlyList<CarbonNodeStorage> nodes, bool compareReplicas, long? now, CancellationToken cancellation,
            Action<string> skipped = null)
        {
            var byMetric = new Dictionary<string, CarbonMetricState>(StringComparer.Ordinal);
            var relByMetric = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var node in nodes)
            {
                if (!Directory.Exists(node.Root)) throw new DirectoryNotFoundException("The storage root of " + node.Node + " does not exist: " + node.Root);
                foreach (string file in Directory.EnumerateFiles(node.Root, "*" + MetricPath.Extension, SearchOption.AllDirectories))
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (System.IO.Path.GetFileName(file).StartsWith(TempPrefix, StringComparison.Ordinal)) continue;
                    string rel = file.Substring(node.Root.TrimEnd(System.IO.Path.DirectorySeparatorChar).Length + 1).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                    string metric = MetricPath.FromRelativePath(rel);
                    if (metric == null) { skipped?.Invoke(file + ": a tagged series stored by hash; its name cannot be read from the path"); continue; }
                    if (CarbonRingChecks.IsNodeLocal(metric)) continue;
                    if (!byMetric.TryGetValue(metric, out var state))
                    {
                        state = new CarbonMetricState(metric, rel, ring.GetDestinations(metric, replicationFactor, diverseReplicas));
                        byMetric[metric] = state;
                    }
                    state.Copies[node.Node] = file;
                }
            }
            var inRing = new HashSet<CarbonDestination>(nodes.Where(n => n.InRing).Select(n => n.Node));
            foreach (var s in byMetric.Values)
            {
                s.MissingOn = s.Owners.Where(o => !s.Copies.ContainsKey(o)).ToArray();
                s.MisplacedOn = s.Copies.Keys.Where(n => inRing.Contains(n) && !s.Owners.Contains(n)).ToArray();
                s.OrphanedOn = s.Copies.Keys.Where(n => !inRing.Contains(n)).ToArray();
                if (compareReplicas) CompareOwners(s, now);
            }
            return byMetric.Values.OrderBy(s => s.Metric, StringComparer.Ordinal).ToList();
        }

        /// <summary>Compares the owners' copies with the first owner's copy.</summary>
        internal static void CompareOwners(CarbonMetricState s, long? now)
        {
            var copies = s.Owners.Where(o => s.Copies.ContainsKey(o)).Select(o => s.Copies[o]).ToList();
            long differing = 0, missing = 0;
            for (int i = 1; i < copies.Count; i++)
            {
                var r = WhisperComparer.Compare(copies[0], copies[i], new ComparisonOptions { Now = now });
                foreach (var a in r.Archives)
                {
                    differing += a.Differences;
                    missing += a.OnlyInReference + a.OnlyInDifference;
                }
            }
            s.DifferingSlots = differing;
            s.MissingSlots = missing;
        }

        /// <summary>
        /// Makes one metric whole on its owners and, unless <paramref name="keepMisplaced"/>, removes its copies
        /// elsewhere once each has been verified: (1) an owner without a copy gets one (a locked read of a copy,
        /// written beside the target and moved into place only if nothing is there yet; if carbon created the file
        /// meanwhile, it is filled instead); (2) every owner copy has its empty slots filled from all other copies,
        /// by content (WhisperFile.FillGaps: slots with a value are never overwritten); (3) every non-owner copy
        /// is compared with every owner copy and removed only if no slot it holds is empty on any owner.
        /// Every step is idempotent, so an interrupted sync is resumed by running it again.
        /// </summary>
        public static void SyncMetric(CarbonMetricState s, bool plan, bool keepMisplaced, long? now, Action<CarbonSyncStep> report,
            Func<CarbonDestination, string> rootOf, CancellationToken cancellation)
        {
            var ownerCopies = new List<KeyValuePair<CarbonDestination, string>>();
            var others = s.Copies.Where(kv => !s.Owners.Contains(kv.Key)).ToList();
            foreach (var o in s.Owners)
                if (s.Copies.TryGetValue(o, out var p)) ownerCopies.Add(new KeyValuePair<CarbonDestination, string>(o, p));
            var allCopies = ownerCopies.Concat(others).ToList();
            if (allCopies.Count == 0) return;

            // 1. Copies for owners that have none.
            foreach (var o in s.MissingOn)
            {
                cancellation.ThrowIfCancellationRequested();
                string target = MetricPath.ToAbsolutePath(rootOf(o), s.Metric);
                string source = allCopies[0].Value;
                var step = new CarbonSyncStep(s.Metric, CarbonSyncAction.Copy, o, target, source, plan);
                if (!plan)
                {
                    try
                    {
                        if (!CopyIfAbsent(source, target, rootOf(o)))
                            step.Message = "carbon created the file meanwhile; it is filled instead";
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is WhisperException)
                    {
                        step.Succeeded = false;
                        step.Message = ex.Message;
                        report(step);
                        continue;
                    }
                    s.Copies[o] = target;
                }
                report(step);
                ownerCopies.Add(new KeyValuePair<CarbonDestination, string>(o, target));
            }

            // 2. Fill every owner copy from all the others.
            if (!plan)
            {
                var paths = ownerCopies.Select(kv => kv.Value).Concat(others.Select(kv => kv.Value)).ToList();
                foreach (var kv in ownerCopies)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var sources = paths.Where(p => p != kv.Value).ToList();
                    if (sources.Count == 0) continue;
                    var step = new CarbonSyncStep(s.Metric, CarbonSyncAction.Fill, kv.Key, kv.Value, string.Join(", ", sources), false);
                    try
                    {
                        var r = WhisperFile.FillGaps(kv.Value, sources, null, null, now, false, false, cancellation);
                        step.Slots = r.Filled;
                        if (r.SourceFailures.Count > 0)
                            step.Message = string.Join("; ", r.SourceFailures.Select(f => f.Path + ": " + f.Error.Message));
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is WhisperException)
                    {
                        step.Succeeded = false;
                        step.Message = ex.Message;
                    }
                    report(step);
                }
            }
            else
            {
                foreach (var kv in ownerCopies)
                    if (allCopies.Count > 1 || s.MissingOn.Length > 0)
                        report(new CarbonSyncStep(s.Metric, CarbonSyncAction.Fill, kv.Key, kv.Value, "the other copies", true));
            }

            // 3. Verify, then remove, copies on nodes that do not own the metric.
            foreach (var kv in others)
            {
                cancellation.ThrowIfCancellationRequested();
                if (plan)
                {
                    report(new CarbonSyncStep(s.Metric, keepMisplaced ? CarbonSyncAction.Keep : CarbonSyncAction.Remove, kv.Key, kv.Value, null, true)
                        { Message = keepMisplaced ? "-KeepMisplaced" : "after it is verified against every owner" });
                    continue;
                }
                var verify = new CarbonSyncStep(s.Metric, CarbonSyncAction.Verify, kv.Key, kv.Value, null, false);
                long missing = 0;
                string why = null;
                if (ownerCopies.Count < s.Owners.Length) why = "not every owner has a copy";
                foreach (var owner in ownerCopies)
                {
                    if (why != null) break;
                    try
                    {
                        var r = WhisperComparer.Compare(kv.Value, owner.Value, new ComparisonOptions { Now = now });
                        if (r.ReferenceOnlySteps.Count > 0)
                            why = owner.Key + " lacks the " + string.Join(",", r.ReferenceOnlySteps) + " s archive(s) of this copy";
                        missing += r.Archives.Sum(a => (long)a.OnlyInReference);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is WhisperException)
                    {
                        why = ex.Message;
                    }
                }
                verify.Slots = missing;
                verify.Succeeded = why == null && missing == 0;
                verify.Message = why ?? (missing == 0 ? "every point is on every owner" : missing + " slot(s) of this copy are empty on an owner");
                report(verify);
                if (!verify.Succeeded || keepMisplaced)
                {
                    report(new CarbonSyncStep(s.Metric, CarbonSyncAction.Keep, kv.Key, kv.Value, null, false)
                        { Message = keepMisplaced ? "-KeepMisplaced" : "not verified" });
                    continue;
                }
                var remove = new CarbonSyncStep(s.Metric, CarbonSyncAction.Remove, kv.Key, kv.Value, null, false);
                try
                {
                    File.Delete(kv.Value);
                    s.Copies.Remove(kv.Key);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    remove.Succeeded = false;
                    remove.Message = ex.Message;
                }
                report(remove);
            }
        }

        /// <summary>Copies <paramref name="source"/> (read under carbon's shared lock) to <paramref name="target"/> if
        /// no file is there; false, leaving the target alone, if one is. The copy, and every folder made for it, is
        /// given the owner and group of <paramref name="storageRoot"/> (the user carbon runs as owns its tree), the
        /// copy the source's permission bits and new folders the root's, so carbon can write to it as to a file it
        /// created itself.</summary>
        internal static bool CopyIfAbsent(string source, string target, string storageRoot)
        {
            if (File.Exists(target)) return false;
            bool own = FileOwnership.TryGet(storageRoot, out var rootOwner);
            string dir = System.IO.Path.GetDirectoryName(target);
            CreateFolders(dir, own ? rootOwner : (FileOwnership.Owner?)null);
            byte[] bytes;
            FileOwnership.Owner sourceOwner = default(FileOwnership.Owner);
            using (var src = RandomAccessFile.Open(source, FileOpenMode.Read))
            {
                bytes = new byte[src.Length];
                src.ReadExactly(0, bytes, 0, bytes.Length, "the copy of " + source);
                if (own) own = FileOwnership.TryGet(source, out sourceOwner);
            }
            string tmp = System.IO.Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + MetricPath.Extension);
            try
            {
                using (var t = RandomAccessFile.CreateNew(tmp))
                {
                    t.Write(0, bytes, 0, bytes.Length);
                    t.Flush();
                }
                // Before the file appears under its name: carbon must never see it with the wrong owner.
                if (own && FileOwnership.TryGet(tmp, out var made))
                    FileOwnership.Set(tmp, made, new FileOwnership.Owner { Uid = rootOwner.Uid, Gid = rootOwner.Gid, Mode = sourceOwner.Mode });
                return RandomAccessFile.MoveNoReplace(tmp, target);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
        }

        // Directory.CreateDirectory, then the folders it made get the root's owner, group and mode (carbon's makedirs
        // would have made them as carbon's user).
        private static void CreateFolders(string dir, FileOwnership.Owner? rootOwner)
        {
            var missing = new List<string>();
            for (string d = dir; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = System.IO.Path.GetDirectoryName(d)) missing.Add(d);
            Directory.CreateDirectory(dir);
            if (rootOwner == null) return;
            for (int i = missing.Count - 1; i >= 0; i--)
                if (FileOwnership.TryGet(missing[i], out var made)) FileOwnership.Set(missing[i], made, rootOwner.Value);
        }

        /// <summary>Removes temporary files an interrupted copy left under a storage root.</summary>
        public static int RemoveLeftovers(string root)
        {
            int n = 0;
            foreach (string f in Directory.EnumerateFiles(root, TempPrefix + "*", SearchOption.AllDirectories))
            {
                File.Delete(f);
                n++;
            }
            return n;
        }
    }
}
