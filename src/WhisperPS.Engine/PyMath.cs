namespace WhisperPS.Engine
{
    /// <summary>
    /// Python's floor division and modulo. C#'s / and % truncate toward zero, which would misplace points
    /// written before an archive's base interval; whisper relies on floor semantics for ring addressing.
    /// </summary>
    internal static class PyMath
    {
        public static long FloorDiv(long a, long b)
        {
            long q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
            return q;
        }

        public static long FloorMod(long a, long b)
        {
            long r = a % b;
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
        }

        /// <summary>Start of the interval of width <paramref name="step"/> that holds <paramref name="t"/>.</summary>
        public static long Align(long t, long step)
        {
            return t - FloorMod(t, step);
        }
    }
}
