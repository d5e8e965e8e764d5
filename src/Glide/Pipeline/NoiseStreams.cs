namespace Glide.Pipeline;

/// <summary>
/// Philox stream per stage, so one seed gives independent noise to the base and the upsampler (otherwise the
/// upsampler's x_T would start with the base's x_T).
/// </summary>
public static class NoiseStreams
{
    public const uint Base = 0;
    public const uint Upsample = 1;
}
