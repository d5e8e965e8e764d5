namespace Glide.Noise;

/// <summary>Per-image seeded standard-normal noise from <see cref="Philox4x32"/>, independent of the batch.</summary>
/// <remarks>
/// <para>Construction, exactly (so any language can reproduce it):</para>
/// <list type="number">
/// <item>Key: the image's 64-bit seed as two's complement, k0 = low 32 bits, k1 = high 32 bits.</item>
/// <item>Counter of element e (C-order index within the image, e.g. over [3, H, W]) of draw d:
/// (c0, c1, c2, c3) = (⌊e/4⌋, d, stream, 0). One Philox4x32-10 call gives four words x0…x3 for elements
/// 4⌊e/4⌋ … 4⌊e/4⌋+3.</item>
/// <item>Uniforms: u_j = (x_j + 0.5)·2⁻³², exact in float64 and strictly inside (0, 1).</item>
/// <item>Box–Muller in float64 on the pairs (u0, u1) and (u2, u3): r = √(−2·ln u0), θ = (2π)·u1 with 2π the
/// float64 constant 2·π; lanes 0 and 1 are r·cos θ and r·sin θ, lanes 2 and 3 the same from (u2, u3).</item>
/// <item>Each value is rounded once to float32 (round to nearest even).</item>
/// </list>
/// <para>
/// So image k's noise depends only on its seed, the draw index and the stream: not on the batch size, the image's
/// position in it, or how the work was split. Images with equal seeds get equal noise. <c>stream</c> separates
/// independent uses of one seed (e.g. the base and upsampler stages), whose draw 0 would otherwise share their
/// leading values. Element e's value does not depend on the destination's length. A different libm could change the
/// float64 log/cos/sin in the last bit, which flips the float32 result only in rare ties.
/// </para>
/// </remarks>
public sealed class PhiloxNoiseSource : INoiseSource
{
    private const double TwoToMinus32 = 1.0 / 4294967296.0;
    private const double TwoPi = 2.0 * Math.PI;

    private readonly long[] _seeds;

    /// <param name="seeds">One seed per image.</param>
    /// <param name="stream">Counter word c2: a separate, independent noise stream for the same seeds.</param>
    public PhiloxNoiseSource(IReadOnlyList<long> seeds, uint stream = 0)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("expected at least one seed (one per image), got none", nameof(seeds));
        }

        _seeds = [.. seeds];
        Stream = stream;
    }

    public int ImageCount => _seeds.Length;

    /// <summary>The stream word of every counter.</summary>
    public uint Stream { get; }

    /// <summary>The seed of image <paramref name="image"/>.</summary>
    public long SeedOf(int image)
    {
        CheckImage(image);
        return _seeds[image];
    }

    public void Fill(int image, int draw, Span<float> destination)
    {
        CheckImage(image);
        if (draw < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(draw), draw, $"draw must be ≥ 0, got {draw}");
        }

        var seed = _seeds[image];
        var k0 = (uint)seed;
        var k1 = (uint)((ulong)seed >> 32);
        var blocks = (destination.Length + 3) / 4;
        for (var block = 0; block < blocks; block++)
        {
            var (x0, x1, x2, x3) = Philox4x32.Generate((uint)block, (uint)draw, Stream, 0, k0, k1);
            var start = 4 * block;
            var count = Math.Min(4, destination.Length - start);
            BoxMuller(x0, x1, out var z0, out var z1);
            destination[start] = z0;
            if (count > 1)
            {
                destination[start + 1] = z1;
            }

            if (count > 2)
            {
                BoxMuller(x2, x3, out var z2, out var z3);
                destination[start + 2] = z2;
                if (count > 3)
                {
                    destination[start + 3] = z3;
                }
            }
        }
    }

    private static void BoxMuller(uint a, uint b, out float cosine, out float sine)
    {
        var u0 = (a + 0.5) * TwoToMinus32;
        var u1 = (b + 0.5) * TwoToMinus32;
        var r = Math.Sqrt(-2.0 * Math.Log(u0));
        var theta = TwoPi * u1;
        cosine = (float)(r * Math.Cos(theta));
        sine = (float)(r * Math.Sin(theta));
    }

    private void CheckImage(int image)
    {
        if ((uint)image >= (uint)_seeds.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(image), image, $"image {image} out of range [0, {_seeds.Length - 1}] ({_seeds.Length} seeds)");
        }
    }
}
