using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine.Tests.Interop
{
    /// <summary>
    /// The op-script vocabulary shared with driver.py, and its C# interpreter. An op is a small JSON object
    /// (create, update_many, update, set_aggregation, merge, fetch); each side runs the same ops on its own
    /// directory and answers with the same result shapes, so results compare one to one.
    /// </summary>
    internal static class Ops
    {
        /// <summary>IEEE bits as 16 hex digits: doubles survive JSON exactly, NaN payloads included.</summary>
        public static string Hex(double v) => ((ulong)BitConverter.DoubleToInt64Bits(v)).ToString("x16", CultureInfo.InvariantCulture);

        public static double Unhex(string h) => BitConverter.Int64BitsToDouble((long)ulong.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        /// <summary>Python's exception class for each engine exception the random workloads can provoke.</summary>
        public static readonly Dictionary<string, string> PythonErrorFor = new Dictionary<string, string>
        {
            [nameof(TimestampNotCoveredException)] = "TimestampNotCovered",
            [nameof(InvalidTimeIntervalException)] = "InvalidTimeInterval",
            [nameof(ArgumentException)] = "ValueError",
            [nameof(ArchiveMismatchException)] = "NotImplementedError",
            [nameof(InvalidXFilesFactorException)] = "InvalidXFilesFactor",
            [nameof(InvalidAggregationMethodException)] = "InvalidAggregationMethod",
            [nameof(InvalidConfigurationException)] = "InvalidConfiguration",
        };

        public static JsonObject Create(string file, IEnumerable<ArchiveSpec> archives, double xff, AggregationMethod method, bool sparse, bool fallocate)
        {
            var list = new JsonArray();
            foreach (var a in archives) list.Add(new JsonArray(a.SecondsPerPoint, a.Points));
            return new JsonObject
            {
                ["op"] = "create", ["file"] = file, ["archives"] = list, ["xff"] = Hex(xff),
                ["method"] = Aggregation.ToWhisperName(method), ["sparse"] = sparse, ["fallocate"] = fallocate,
            };
        }

        public static JsonObject UpdateMany(string file, IEnumerable<Point> points, long now)
        {
            var list = new JsonArray();
            foreach (var p in points) list.Add(new JsonArray(p.Timestamp, Hex(p.Value)));
            return new JsonObject { ["op"] = "update_many", ["file"] = file, ["points"] = list, ["now"] = now };
        }

        public static JsonObject Update(string file, long timestamp, double value, long now) =>
            new JsonObject { ["op"] = "update", ["file"] = file, ["timestamp"] = timestamp, ["value"] = Hex(value), ["now"] = now };

        public static JsonObject SetAggregation(string file, AggregationMethod? method, double? xff) =>
            new JsonObject
            {
                ["op"] = "set_aggregation", ["file"] = file,
                ["method"] = method.HasValue ? Aggregation.ToWhisperName(method.Value) : null,
                ["xff"] = xff.HasValue ? Hex(xff.Value) : null,
            };

        public static JsonObject Merge(string source, string destination, long? from, long? to, long now) =>
            new JsonObject { ["op"] = "merge", ["source"] = source, ["file"] = destination, ["timeFrom"] = from, ["timeTo"] = to, ["now"] = now };

        public static JsonObject Fetch(string file, long from, long? until, long now, long? archive, bool other = false) =>
            new JsonObject
            {
                ["op"] = "fetch", ["file"] = file, ["from"] = from, ["until"] = until, ["now"] = now,
                ["archive"] = archive.HasValue ? archive.Value.ToString(CultureInfo.InvariantCulture) : null, ["other"] = other,
            };

        public static bool IsOther(JsonObject op) => op["other"] != null && (bool)op["other"];

        /// <summary>Runs one op with the engine on <paramref name="dir"/> (or <paramref name="otherDir"/> for reads of
        /// the other side's files). Every exception becomes a result, so a crash is reported with its case seed.</summary>
        public static JsonObject Run(JsonObject op, string dir, string otherDir)
        {
            string kind = (string)op["op"];
            string path = Path.Combine(IsOther(op) ? otherDir : dir, (string)op["file"]);
            try
            {
                switch (kind)
                {
                    case "create":
                    {
                        var archives = new List<ArchiveSpec>();
                        foreach (var a in op["archives"].AsArray()) archives.Add(new ArchiveSpec((long)a[0], (long)a[1]));
                        WhisperFile.Create(path, archives, Unhex((string)op["xff"]), Aggregation.Parse((string)op["method"]),
                            new CreateOptions { Sparse = (bool)op["sparse"], Preallocate = (bool)op["fallocate"] });
                        return Sha(path);
                    }
                    case "update_many":
                    {
                        var points = new List<Point>();
                        foreach (var p in op["points"].AsArray()) points.Add(new Point((long)p[0], Unhex((string)p[1])));
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.UpdateMany(points, (long)op["now"]);
                        return Sha(path);
                    }
                    case "update":
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                            f.Update(Unhex((string)op["value"]), (long)op["timestamp"], (long)op["now"]);
                        return Sha(path);
                    case "set_aggregation":
                    {
                        string method = (string)op["method"];
                        string xff = (string)op["xff"];
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                            f.SetAggregation(method == null ? (AggregationMethod?)null : Aggregation.Parse(method), xff == null ? (double?)null : Unhex(xff));
                        return Sha(path);
                    }
                    case "merge":
                        WhisperFile.Merge(Path.Combine(dir, (string)op["source"]), path, (long?)op["timeFrom"], (long?)op["timeTo"], (long)op["now"]);
                        return Sha(path);
                    case "fetch":
                    {
                        string archive = (string)op["archive"];
                        FetchResult r;
                        using (var f = WhisperFile.Open(path))
                            r = f.Fetch((long)op["from"], (long?)op["until"], (long)op["now"],
                                archive == null ? (long?)null : long.Parse(archive, CultureInfo.InvariantCulture));
                        return FetchJson(r);
                    }
                    default:
                        throw new InvalidOperationException("unknown op " + kind);
                }
            }
            catch (Exception e)
            {
                return new JsonObject { ["error"] = e.GetType().Name, ["message"] = e.Message, ["stack"] = e.StackTrace };
            }
        }

        public static JsonObject FetchJson(FetchResult r)
        {
            if (r == null) return new JsonObject { ["none"] = true };
            var values = new JsonArray();
            foreach (var v in r.Values) values.Add(v.HasValue ? Hex(v.Value) : null);
            return new JsonObject { ["time"] = new JsonArray(r.FromInterval, r.UntilInterval, r.Step), ["values"] = values };
        }

        public static JsonObject Sha(string path)
        {
            using (var sha = SHA256.Create())
                return new JsonObject { ["sha"] = Convert.ToHexString(sha.ComputeHash(File.ReadAllBytes(path))).ToLowerInvariant() };
        }

        /// <summary>Null when a C# result and a Python result agree; otherwise what differs.</summary>
        public static string Difference(JsonObject cs, JsonObject py)
        {
            if (py["error"] != null || cs["error"] != null)
            {
                string pyErr = (string)py["error"], csErr = (string)cs["error"];
                if (pyErr != null && csErr != null && PythonErrorFor.TryGetValue(csErr, out var mapped) && mapped == pyErr) return null;
                return "python: " + (pyErr == null ? "no error" : pyErr + " '" + (string)py["message"] + "'") +
                       "; C#: " + (csErr == null ? "no error" : csErr + " '" + (string)cs["message"] + "'" + (string)cs["stack"]);
            }
            if (py["sha"] != null || cs["sha"] != null)
                return (string)py["sha"] == (string)cs["sha"] ? null : "file bytes differ after this op";
            if (py["none"] != null || cs["none"] != null)
                return py["none"] != null && cs["none"] != null ? null : "python returned " + Short(py) + ", C# " + Short(cs);
            var pt = py["time"].AsArray();
            var ct = cs["time"].AsArray();
            for (int i = 0; i < 3; i++)
                if ((long)pt[i] != (long)ct[i]) return "timeInfo python " + pt.ToJsonString() + " C# " + ct.ToJsonString();
            var pv = py["values"].AsArray();
            var cv = cs["values"].AsArray();
            if (pv.Count != cv.Count) return "python returned " + pv.Count + " values, C# " + cv.Count;
            for (int i = 0; i < pv.Count; i++)
            {
                string a = (string)pv[i], b = (string)cv[i];
                if (a != b)
                    return "value " + i + " (t=" + ((long)pt[0] + i * (long)pt[2]) + "): python " + Show(a) + ", C# " + Show(b);
            }
            return null;
        }

        private static string Show(string hex) => hex == null ? "None" : hex + " (" + Unhex(hex).ToString("R", CultureInfo.InvariantCulture) + ")";

        private static string Short(JsonObject o)
        {
            string s = o.ToJsonString();
            return s.Length > 300 ? s.Substring(0, 300) + "..." : s;
        }
    }
}
