namespace Glide.Noise;

/// <summary>The Philox4x32-10 counter-based bijection: (128-bit counter, 64-bit key) → 128 random bits.</summary>
/// <remarks>
/// Written from the algorithm's published description: J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC 2011), and checked against the known-answer vectors of the
/// Random123 distribution that accompanies it. One round maps counter (c0, c1, c2, c3) and key (k0, k1) to
/// (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)) with 32×32→64-bit products; between rounds the
/// key is bumped by the Weyl constants (k0 += W0, k1 += W1). Ten rounds.
/// </remarks>
public static class Philox4x32
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9; // golden ratio
    private const uint W1 = 0xBB67AE85; // √3 − 1
    private const int Rounds = 10;

    /// <summary>Philox4x32-10 of one counter.</summary>
    /// <param name="counter">Four 32-bit counter words.</param>
    /// <param name="key">Two 32-bit key words.</param>
    /// <param name="destination">Four 32-bit output words.</param>
    public static void Generate(ReadOnlySpan<uint> counter, ReadOnlySpan<uint> key, Span<uint> destination)
    {
        if (counter.Length != 4 || key.Length != 2 || destination.Length != 4)
        {
            throw new ArgumentException(
                $"expected a 4-word counter, a 2-word key and a 4-word destination, got {counter.Length}, " +
                $"{key.Length} and {destination.Length}");
        }

        var (x0, x1, x2, x3) = Generate(counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
        destination[0] = x0;
        destination[1] = x1;
        destination[2] = x2;
        destination[3] = x3;
    }

    /// <summary>Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1).</summary>
    public static (uint X0, uint X1, uint X2, uint X3) Generate(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (var round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }

            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            var next0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            var next2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = next0;
            c2 = next2;
        }

        return (c0, c1, c2, c3);
    }
}
