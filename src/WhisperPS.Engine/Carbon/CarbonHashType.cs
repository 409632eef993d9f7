namespace WhisperPS.Engine.Carbon
{
    /// <summary>The placement functions of carbon (ROUTER_HASH_TYPE) and carbon-c-relay (cluster type).</summary>
    public enum CarbonHashType
    {
        /// <summary>carbon_ch: first two bytes of MD5, 100 virtual nodes per node.</summary>
        CarbonCh,

        /// <summary>fnv1a_ch: 32-bit FNV-1a folded to 16 bits, 100 virtual nodes per node.</summary>
        Fnv1aCh,

        /// <summary>jump_fnv1a_ch: jump consistent hash over 64-bit FNV-1a (carbon-c-relay only).</summary>
        JumpFnv1aCh,
    }

    /// <summary>Whose ring to reproduce: they agree unless virtual nodes collide (and on fnv1a_ch keys).</summary>
    public enum CarbonImplementation
    {
        /// <summary>carbon 1.0 and later: a colliding virtual node moves to the next free position.</summary>
        Carbon,

        /// <summary>carbon 0.9.x (and buckytools): colliding virtual nodes are all kept, sorted by node.</summary>
        Carbon09,

        /// <summary>carbon-c-relay 3.x: sorted, and a collision is won by the first node in sort order.</summary>
        CarbonCRelay,
    }

    public static class CarbonHashTypeNames
    {
        public static string ToName(CarbonHashType type)
        {
            switch (type)
            {
                case CarbonHashType.Fnv1aCh: return "fnv1a_ch";
                case CarbonHashType.JumpFnv1aCh: return "jump_fnv1a_ch";
                default: return "carbon_ch";
            }
        }

        public static bool TryParse(string name, out CarbonHashType type)
        {
            switch ((name ?? "").Trim().ToLowerInvariant())
            {
                case "carbon_ch": type = CarbonHashType.CarbonCh; return true;
                case "fnv1a_ch": type = CarbonHashType.Fnv1aCh; return true;
                case "jump_fnv1a_ch": type = CarbonHashType.JumpFnv1aCh; return true;
                default: type = CarbonHashType.CarbonCh; return false;
            }
        }
    }
}
