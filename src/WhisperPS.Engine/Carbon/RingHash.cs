using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>The hash positions carbon and carbon-c-relay compute, bit for bit.</summary>
    internal static class RingHash
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, false);

        internal static byte[] Bytes(string s) => Utf8.GetBytes(s);

        /// <summary>carbon_ch: the first two bytes of the MD5 digest, big-endian.</summary>
        internal static int Md5Position(byte[] key)
        {
            using (var md5 = MD5.Create())
            {
                byte[] d = md5.ComputeHash(key);
                return (d[0] << 8) | d[1];
            }
        }

        /// <summary>
        /// 32-bit FNV-1a. carbon-c-relay feeds each byte as a signed C char, so bytes of 0x80 and up are
        /// sign-extended before the XOR (<paramref name="signedChars"/>); python carbon uses the byte value.
        /// </summary>
        internal static uint Fnv1a32(byte[] key, bool signedChars)
        {
            uint h = 2166136261u;
            foreach (byte b in key)
            {
                uint v = signedChars ? (uint)(int)(sbyte)b : b;
                h = unchecked((h ^ v) * 16777619u);
            }
            return h;
        }

        internal static ulong Fnv1a64(byte[] key, bool signedChars)
        {
            ulong h = 14695981039346656037UL;
            foreach (byte b in key)
            {
                ulong v = signedChars ? (ulong)(long)(sbyte)b : b;
                h = unchecked((h ^ v) * 1099511628211UL);
            }
            return h;
        }

        /// <summary>fnv1a_ch: the high and low 16 bits of FNV-1a XORed.</summary>
        internal static int Fnv1aPosition(byte[] key, bool signedChars)
        {
            uint h = Fnv1a32(key, signedChars);
            return (int)((h >> 16) ^ (h & 0xFFFF));
        }

        /// <summary>Lamping and Veach's jump consistent hash, with carbon-c-relay's double arithmetic.</summary>
        internal static int JumpBucket(ulong key, int buckets)
        {
            long b = -1, j = 0;
            while (j < buckets)
            {
                b = j;
                key = unchecked(key * 2862933555777941757UL + 1);
                j = (long)((double)(b + 1) * ((double)(1L << 31) / (double)((key >> 33) + 1)));
            }
            return (int)b;
        }

        /// <summary>carbon-c-relay's xorshift step between replicas of a jump hash.</summary>
        internal static ulong JumpNext(ulong hash)
        {
            hash ^= hash >> 12;
            hash ^= hash << 25;
            hash ^= hash >> 27;
            return unchecked(hash * 2685821657736338717UL);
        }

        /// <summary>
        /// Python 3's repr() of a str: single quotes unless the text holds a single quote and no double quote,
        /// backslash escapes, and \x/\u/\U for characters Python does not print.
        /// </summary>
        internal static string PythonRepr(string s)
        {
            char quote = s.IndexOf('\'') >= 0 && s.IndexOf('"') < 0 ? '"' : '\'';
            var sb = new StringBuilder(s.Length + 2);
            sb.Append(quote);
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == quote || c == '\\') { sb.Append('\\').Append(c); continue; }
                if (c == '\t') { sb.Append("\\t"); continue; }
                if (c == '\n') { sb.Append("\\n"); continue; }
                if (c == '\r') { sb.Append("\\r"); continue; }
                int cp = c;
                int width = 1;
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    cp = char.ConvertToUtf32(c, s[i + 1]);
                    width = 2;
                }
                if (cp < 0x7f && cp >= 0x20) { sb.Append(c); continue; }
                if (PythonPrintable(s, i))
                {
                    sb.Append(s, i, width);
                }
                else if (cp < 0x100) sb.Append("\\x").Append(cp.ToString("x2", CultureInfo.InvariantCulture));
                else if (cp < 0x10000) sb.Append("\\u").Append(cp.ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                i += width - 1;
            }
            sb.Append(quote);
            return sb.ToString();
        }

        private static bool PythonPrintable(string s, int index)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(s, index))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.Surrogate:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.SpaceSeparator:
                    return false;
                default:
                    return true;
            }
        }

        /// <summary>Python 2's repr() of a byte str (carbon 0.9.x): every byte outside printable ASCII is \xNN.</summary>
        internal static string Python2Repr(string s)
        {
            byte[] bytes = Bytes(s);
            bool hasSingle = Array.IndexOf(bytes, (byte)'\'') >= 0, hasDouble = Array.IndexOf(bytes, (byte)'"') >= 0;
            char quote = hasSingle && !hasDouble ? '"' : '\'';
            var sb = new StringBuilder(bytes.Length + 2);
            sb.Append(quote);
            foreach (byte b in bytes)
            {
                if (b == quote || b == '\\') sb.Append('\\').Append((char)b);
                else if (b == '\t') sb.Append("\\t");
                else if (b == '\n') sb.Append("\\n");
                else if (b == '\r') sb.Append("\\r");
                else if (b < 0x20 || b >= 0x7f) sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                else sb.Append((char)b);
            }
            sb.Append(quote);
            return sb.ToString();
        }
    }
}
