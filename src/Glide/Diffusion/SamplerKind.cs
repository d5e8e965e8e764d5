namespace Glide.Diffusion;

/// <summary>Which step a sampling loop takes (glide-spec §7.4, §7.5, §11 item 8).</summary>
public enum SamplerKind
{
    /// <summary><see cref="AncestralSampler"/>: the base model, and both stages of inpainting.</summary>
    Ancestral,

    /// <summary><see cref="DdimSampler"/>: the text2im upsampler, with eta 0.</summary>
    Ddim,
}
