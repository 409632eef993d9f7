using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WhisperPS.Engine
{
    /// <summary>
    /// Big-endian field access for the on-disk format. netstandard2.0 has no BinaryPrimitives without the
    /// System.Memory package, which we must not ship, so array access is done with shifts. The pointer forms, used
    /// by the loops that decode whole archives, go through IPAddress.NetworkToHostOrder: network order is big-endian,
    /// and on .NET Core it compiles to one byte-swap instruction (shifts on .NET Framework, still correct).
    /// </summary>
    internal static class BigEndian
    {
        [StructLayout(LayoutKind.Explicit)]
        private struct FloatBits
        {
            [FieldOffset(0)] public float Single;
            [FieldOffset(0)] public uint Bits;
        }

        public static uint ReadUInt32(byte[] b, int i)
        {
            return ((uint)b[i] << 24) | ((uint)b[i + 1] << 16) | ((uint)b[i + 2] << 8) | b[i + 3];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe uint ReadUInt32(byte* p) => (uint)IPAddress.NetworkToHostOrder(*(int*)p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe double ReadDouble(byte* p) => System.BitConverter.Int64BitsToDouble(IPAddress.NetworkToHostOrder(*(long*)p));

        public static void WriteUInt32(byte[] b, int i, uint v)
        {
            b[i] = (byte)(v >> 24);
            b[i + 1] = (byte)(v >> 16);
            b[i + 2] = (byte)(v >> 8);
            b[i + 3] = (byte)v;
        }

        public static ulong ReadUInt64(byte[] b, int i)
        {
            return ((ulong)ReadUInt32(b, i) << 32) | ReadUInt32(b, i + 4);
        }

        public static void WriteUInt64(byte[] b, int i, ulong v)
        {
            WriteUInt32(b, i, (uint)(v >> 32));
            WriteUInt32(b, i + 4, (uint)v);
        }

        public static double ReadDouble(byte[] b, int i)
        {
            return System.BitConverter.Int64BitsToDouble((long)ReadUInt64(b, i));
        }

        public static void WriteDouble(byte[] b, int i, double v)
        {
            WriteUInt64(b, i, (ulong)System.BitConverter.DoubleToInt64Bits(v));
        }

        public static float ReadSingle(byte[] b, int i)
        {
            var u = new FloatBits { Bits = ReadUInt32(b, i) };
            return u.Single;
        }

        public static void WriteSingle(byte[] b, int i, float v)
        {
            var u = new FloatBits { Single = v };
            WriteUInt32(b, i, u.Bits);
        }
    }
}
