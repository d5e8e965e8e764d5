using Glide.Diffusion;

namespace Glide.Models;

/// <summary>
/// The optional <c>sampling</c> object of <c>manifest.json</c> (src/export/FORMAT.md): how the model is sampled when a
/// request does not say. Absent, or a field absent, means the notebooks' choices.
/// </summary>
public sealed record SamplingDefaults
{
    /// <summary><c>"ddim"</c> (the text2im notebook's fast27 DDIM, the default) or <c>"ancestral"</c>: the text2im
    /// upsampler's steps.</summary>
    public string? UpsampleSampler { get; init; }

    /// <summary>The upsampler's <see cref="SamplerKind"/>; DDIM when the manifest names none.</summary>
    public SamplerKind UpsampleSamplerKind =>
        UpsampleSampler is null ? SamplerKind.Ddim
        : SamplerKinds.TryParse(UpsampleSampler, out var kind) ? kind
        : throw new InvalidOperationException($"unknown upsample sampler \"{UpsampleSampler}\" (validated on load)");
}
