using System;
using System.Globalization;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>
    /// One carbon destination, <c>server:port[:instance]</c>. The ring key is (Server, Instance): the port is not
    /// hashed by carbon's carbon_ch, and Server is literal text (never resolved through DNS), exactly as carbon does.
    /// </summary>
    public sealed class CarbonDestination : IEquatable<CarbonDestination>
    {
        public CarbonDestination(string server, int port, string instance)
        {
            if (string.IsNullOrEmpty(server)) throw new ArgumentException("A carbon destination needs a server.", nameof(server));
            if (port < 0 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0 to 65535.");
            Server = server;
            Port = port;
            Instance = instance;
        }

        public string Server { get; }

        public int Port { get; }

        /// <summary>The instance name, or null when the destination has none (Python's None).</summary>
        public string Instance { get; }

        /// <summary>
        /// Parses carbon's DESTINATIONS syntax as carbon.util.parseDestination does: the server runs to the first
        /// colon (or is bracketed, <c>[::1]:2004</c>), then the port, then an optional <c>:instance</c>.
        /// </summary>
        public static CarbonDestination Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            string s = text.Trim();
            string server, rest;
            int bracket = s.LastIndexOf("]:", StringComparison.Ordinal);
            if (s.StartsWith("[", StringComparison.Ordinal) && bracket > 0)
            {
                server = s.Substring(1, bracket - 1);
                rest = s.Substring(bracket + 2);
            }
            else
            {
                int colon = s.IndexOf(':');
                if (colon < 0) throw new FormatException("Destination '" + text + "' is not server:port[:instance].");
                server = s.Substring(0, colon);
                rest = s.Substring(colon + 1);
            }
            string instance = null;
            int c = rest.IndexOf(':');
            if (c >= 0)
            {
                instance = rest.Substring(c + 1);
                rest = rest.Substring(0, c);
            }
            if (!int.TryParse(rest.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int port) || port < 0 || port > 65535)
                throw new FormatException("Destination '" + text + "' has no valid port ('" + rest + "').");
            if (server.Length == 0) throw new FormatException("Destination '" + text + "' has no server.");
            return new CarbonDestination(server, port, instance);
        }

        /// <summary>True when both name the same ring node: same server text and instance (the port is not part of it).</summary>
        public bool SameNode(CarbonDestination other)
        {
            return other != null && string.Equals(Server, other.Server, StringComparison.Ordinal) &&
                   string.Equals(Instance, other.Instance, StringComparison.Ordinal);
        }

        public bool Equals(CarbonDestination other)
        {
            return SameNode(other) && Port == other.Port;
        }

        public override bool Equals(object obj) => Equals(obj as CarbonDestination);

        public override int GetHashCode()
        {
            unchecked
            {
                return (StringComparer.Ordinal.GetHashCode(Server) * 397) ^ (Instance == null ? 0 : StringComparer.Ordinal.GetHashCode(Instance)) ^ Port;
            }
        }

        /// <summary>server:port[:instance], bracketing a server that contains a colon (IPv6).</summary>
        public override string ToString()
        {
            string server = Server.IndexOf(':') >= 0 ? "[" + Server + "]" : Server;
            return server + ":" + Port.ToString(CultureInfo.InvariantCulture) + (Instance == null ? "" : ":" + Instance);
        }
    }
}
