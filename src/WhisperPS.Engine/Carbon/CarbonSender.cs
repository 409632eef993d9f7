using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>carbon's two TCP receivers.</summary>
    public enum CarbonProtocol
    {
        /// <summary>"metric value timestamp\n" lines (LINE_RECEIVER_PORT, 2003 by default).</summary>
        Plaintext,

        /// <summary>Length-prefixed pickles of [(metric, (timestamp, value)), ...] (PICKLE_RECEIVER_PORT, 2004).</summary>
        Pickle,
    }

    /// <summary>One point as carbon receives it.</summary>
    public readonly struct CarbonDatapoint
    {
        public CarbonDatapoint(string metric, long timestamp, double value)
        {
            Metric = metric;
            Timestamp = timestamp;
            Value = value;
        }

        public string Metric { get; }

        public long Timestamp { get; }

        public double Value { get; }

        public override string ToString() => Metric + " " + CarbonWire.FormatValue(Value) + " " + Timestamp.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Points that could not be delivered, with why.</summary>
    public sealed class CarbonSendException : IOException
    {
        public CarbonSendException(string message, IReadOnlyList<CarbonDatapoint> unsent, Exception inner)
            : base(message, inner)
        {
            Unsent = unsent;
        }

        public IReadOnlyList<CarbonDatapoint> Unsent { get; }
    }

    /// <summary>The bytes carbon's receivers read.</summary>
    public static class CarbonWire
    {
        /// <summary>carbon's PICKLE_RECEIVER_MAX_LENGTH default: a longer message is refused and the connection dropped.</summary>
        public const int DefaultMaxPickleBytes = 1 << 20;

        /// <summary>twisted LineOnlyReceiver's MAX_LENGTH: a longer line drops the connection.</summary>
        public const int MaxLineBytes = 16384;

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        /// <summary>Why carbon would not store this point, or null when it would.</summary>
        public static string Problem(string metric, double value)
        {
            if (string.IsNullOrEmpty(metric)) return "the metric name is empty";
            foreach (char c in metric)
                if (char.IsWhiteSpace(c) || c == '\0') return "the metric name '" + metric + "' contains white space or NUL, which carbon's line protocol splits on";
            if (double.IsNaN(value)) return "the value is NaN, which carbon discards on receipt";
            return null;
        }

        /// <summary>Shortest round-trip text Python's float() reads back to the same double.</summary>
        public static string FormatValue(double v)
        {
            if (double.IsPositiveInfinity(v)) return "inf";
            if (double.IsNegativeInfinity(v)) return "-inf";
            return v.ToString("R", CultureInfo.InvariantCulture);
        }

        public static byte[] Line(CarbonDatapoint p)
        {
            return Utf8.GetBytes(p.Metric + " " + FormatValue(p.Value) + " " + p.Timestamp.ToString(CultureInfo.InvariantCulture) + "\n");
        }

        /// <summary>Bytes one point adds to a pickle: BINUNICODE name, BININT or LONG1 time, BINFLOAT value, two TUPLE2.</summary>
        public static int PickleSize(CarbonDatapoint p)
        {
            return 5 + Utf8.GetByteCount(p.Metric) + TimestampSize(p.Timestamp) + 9 + 2;
        }

        /// <summary>Frame overhead: length prefix, PROTO 2, EMPTY_LIST, MARK, APPENDS, STOP.</summary>
        public const int PickleOverhead = 4 + 2 + 1 + 1 + 1 + 1;

        /// <summary>
        /// A pickle (protocol 2) of [(metric, (timestamp, value)), ...], prefixed by its length as carbon's
        /// Int32StringReceiver expects (4 bytes, big-endian). Opcodes only, no memo and no globals, so carbon's
        /// safe unpickler accepts it.
        /// </summary>
        public static byte[] Pickle(IReadOnlyList<CarbonDatapoint> points, int start, int count)
        {
            var ms = new MemoryStream();
            ms.Write(new byte[4], 0, 4);
            ms.WriteByte(0x80); ms.WriteByte(2);     // PROTO 2
            ms.WriteByte((byte)']');                  // EMPTY_LIST
            ms.WriteByte((byte)'(');                  // MARK
            for (int i = start; i < start + count; i++)
            {
                var p = points[i];
                byte[] name = Utf8.GetBytes(p.Metric);
                ms.WriteByte((byte)'X');              // BINUNICODE
                WriteLE32(ms, name.Length);
                ms.Write(name, 0, name.Length);
                WriteTimestamp(ms, p.Timestamp);
                ms.WriteByte((byte)'G');              // BINFLOAT, big-endian
                long bits = BitConverter.DoubleToInt64Bits(p.Value);
                for (int s = 56; s >= 0; s -= 8) ms.WriteByte((byte)(bits >> s));
                ms.WriteByte(0x86);                   // TUPLE2 (timestamp, value)
                ms.WriteByte(0x86);                   // TUPLE2 (metric, (...))
            }
            ms.WriteByte((byte)'e');                  // APPENDS
            ms.WriteByte((byte)'.');                  // STOP
            byte[] frame = ms.ToArray();
            int len = frame.Length - 4;
            frame[0] = (byte)(len >> 24); frame[1] = (byte)(len >> 16); frame[2] = (byte)(len >> 8); frame[3] = (byte)len;
            return frame;
        }

        private static int TimestampSize(long t) => t >= int.MinValue && t <= int.MaxValue ? 5 : 2 + 8;

        private static void WriteTimestamp(Stream s, long t)
        {
            if (t >= int.MinValue && t <= int.MaxValue)
            {
                s.WriteByte((byte)'J');               // BININT, little-endian
                WriteLE32(s, (int)t);
                return;
            }
            s.WriteByte(0x8a);                        // LONG1: 8 little-endian two's complement bytes
            s.WriteByte(8);
            for (int i = 0; i < 8; i++) s.WriteByte((byte)(t >> (8 * i)));
        }

        private static void WriteLE32(Stream s, int v)
        {
            s.WriteByte((byte)v); s.WriteByte((byte)(v >> 8)); s.WriteByte((byte)(v >> 16)); s.WriteByte((byte)(v >> 24));
        }
    }

    /// <summary>
    /// Sends points to a carbon receiver over TCP, never losing one silently. TCP accepting bytes does not mean
    /// carbon read them, so everything sent on a connection stays pending until the connection is closed
    /// cleanly: we half-close and wait for carbon to close its side, which it does only after it has read all
    /// our bytes. A broken or unconfirmed connection is reopened and its pending points sent again (a repeated
    /// point overwrites its own slot with the same value); what still fails is thrown back as unsent.
    /// </summary>
    public sealed class CarbonSender : IDisposable
    {
        private readonly List<CarbonDatapoint> _pending = new List<CarbonDatapoint>();
        private TcpClient _client;
        private NetworkStream _stream;

        public CarbonSender(string host, int port, CarbonProtocol protocol)
        {
            Host = host;
            Port = port;
            Protocol = protocol;
        }

        public string Host { get; }

        public int Port { get; }

        public CarbonProtocol Protocol { get; }

        public int MaxPickleBytes { get; set; } = CarbonWire.DefaultMaxPickleBytes;

        /// <summary>Reconnect attempts after a failure, with a doubling pause from <see cref="RetryDelay"/>.</summary>
        public int Retries { get; set; } = 3;

        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Confirm (close and reopen) after this many pending points, to bound memory and resends.</summary>
        public int ConfirmEvery { get; set; } = 100000;

        public CancellationToken Cancellation { get; set; }

        /// <summary>Points carbon has confirmed reading.</summary>
        public long Confirmed { get; private set; }

        public int Connections { get; private set; }

        public int Reconnects { get; private set; }

        /// <summary>Called with a message each time a connection fails and is retried.</summary>
        public Action<string> OnRetry { get; set; }

        /// <summary>Sends one batch (a pickle is split to stay under MaxPickleBytes).</summary>
        public void Send(IReadOnlyList<CarbonDatapoint> batch)
        {
            if (batch.Count == 0) return;
            int first = _pending.Count;
            _pending.AddRange(batch);
            WithRetries(connected =>
            {
                // A fresh connection carries everything not yet confirmed, this batch included.
                if (connected) WriteRange(0, _pending.Count);
                else WriteRange(first, _pending.Count - first);
            });
            if (_pending.Count >= ConfirmEvery) Flush();
        }

        /// <summary>Closes the connection cleanly and waits until carbon has read everything sent on it.</summary>
        public void Flush()
        {
            if (_pending.Count == 0 && _stream == null) return;
            WithRetries(connected =>
            {
                if (connected) WriteRange(0, _pending.Count);
                ConfirmClose();
            });
        }

        /// <summary>Runs <paramref name="step"/> on a connection (true when it was just opened), reconnecting on failure.</summary>
        private void WithRetries(Action<bool> step)
        {
            Exception last = null;
            for (int attempt = 0; attempt <= Retries; attempt++)
            {
                Cancellation.ThrowIfCancellationRequested();
                try
                {
                    bool connected = false;
                    if (_stream == null)
                    {
                        Connect();
                        connected = true;
                    }
                    step(connected);
                    return;
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
                {
                    last = ex;
                    Drop();
                    if (attempt < Retries)
                    {
                        Reconnects++;
                        OnRetry?.Invoke(Host + ":" + Port + ": " + ex.Message + "; reconnecting (" + (attempt + 1) + " of " + Retries + ")");
                        Cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(RetryDelay.TotalMilliseconds * (1 << Math.Min(attempt, 10))));
                    }
                }
            }
            var unsent = _pending.ToArray();
            _pending.Clear();
            throw new CarbonSendException(unsent.Length + " point" + (unsent.Length == 1 ? "" : "s") + " to " + Host + ":" + Port + " (" + Protocol +
                ") could not be delivered or confirmed after " + (Retries + 1) + " attempt" + (Retries == 0 ? "" : "s") + ": " + last?.Message, unsent, last);
        }

        private void Connect()
        {
            var client = new TcpClient { NoDelay = false, SendTimeout = (int)Timeout.TotalMilliseconds, ReceiveTimeout = (int)Timeout.TotalMilliseconds };
            try
            {
                var connect = client.ConnectAsync(Host, Port);
                if (!connect.Wait(Timeout)) throw new IOException("connecting timed out after " + Timeout.TotalSeconds + " s");
                if (connect.IsFaulted) throw connect.Exception.InnerException;
            }
            catch (AggregateException ex) when (ex.InnerException is SocketException se)
            {
                client.Dispose();
                throw se;
            }
            catch
            {
                client.Dispose();
                throw;
            }
            _client = client;
            _stream = client.GetStream();
            Connections++;
        }

        private void WriteRange(int start, int count)
        {
            if (count == 0) return;
            if (Protocol == CarbonProtocol.Plaintext)
            {
                var buffer = new MemoryStream();
                for (int i = start; i < start + count; i++)
                {
                    byte[] line = CarbonWire.Line(_pending[i]);
                    buffer.Write(line, 0, line.Length);
                    if (buffer.Length > 65536) { _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length); buffer.SetLength(0); }
                }
                if (buffer.Length > 0) _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                return;
            }
            int at = start, end = start + count;
            while (at < end)
            {
                int n = 0;
                long size = CarbonWire.PickleOverhead;
                while (at + n < end && (n == 0 || size + CarbonWire.PickleSize(_pending[at + n]) <= MaxPickleBytes))
                {
                    size += CarbonWire.PickleSize(_pending[at + n]);
                    n++;
                }
                byte[] frame = CarbonWire.Pickle(_pending, at, n);
                _stream.Write(frame, 0, frame.Length);
                at += n;
            }
        }

        private void ConfirmClose()
        {
            if (_stream == null) return;
            _stream.Flush();
            _client.Client.Shutdown(SocketShutdown.Send);
            var buf = new byte[4096];
            var deadline = DateTime.UtcNow + Timeout;
            _client.Client.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
            while (true)
            {
                int read;
                try
                {
                    read = _stream.Read(buf, 0, buf.Length);
                }
                catch (IOException ex) when (ex.InnerException is SocketException se && se.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // A reset after our FIN may come before carbon has read all: not a confirmation.
                    throw;
                }
                if (read == 0) break;
                if (DateTime.UtcNow > deadline) throw new IOException("carbon did not close the connection within " + Timeout.TotalSeconds + " s");
            }
            Confirmed += _pending.Count;
            _pending.Clear();
            Drop();
        }

        private void Drop()
        {
            try { _stream?.Dispose(); } catch (IOException) { }
            try { _client?.Dispose(); } catch (SocketException) { }
            _stream = null;
            _client = null;
        }

        public void Dispose() => Drop();
    }
}
