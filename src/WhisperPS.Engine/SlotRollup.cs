namespace WhisperPS.Engine
{
    /// <summary>
    /// Rolls consecutive slots of a fine step into one coarser slot exactly as whisper propagates a point into a
    /// lower-precision archive: no value when none of the slots is known or the known fraction is below the
    /// xFilesFactor, otherwise the file's aggregation method over the known ones.
    /// </summary>
    public static class SlotRollup
    {
        public static bool TryAggregate(AggregationMethod method, double xFilesFactor, double[] values, bool[] known, int count, out double value)
        {
            value = 0;
            int knownCount = 0;
            for (int i = 0; i < count; i++)
                if (known[i]) knownCount++;
            if (knownCount == 0 || (double)knownCount / count < xFilesFactor) return false;
            value = Aggregation.Aggregate(method, values, known, count, knownCount);
            return true;
        }
    }
}
