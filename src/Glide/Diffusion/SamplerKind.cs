namespace Glide.Diffusion;

/// <summary>Which step a sampling loop takes (glide-spec §7.4, §7.5, §11 item 8).</summary>
public enum SamplerKind
{
    /// <summary><see cref="AncestralSampler"/>: the base model, both stages of inpainting, and the text2im upsampler
    /// of a model whose manifest asks for it (<see cref="Models.SamplingDefaults"/>).</summary>
    Ancestral,

    /// <summary><see cref="DdimSampler"/> with eta 0: the text2im upsampler, as the notebook runs it (the default).
    /// </summary>
    Ddim,
}
