using Glide.Models;

namespace Glide.Pipeline;

/// <summary>
/// The text stage's result: what the base stage needs (a conditional and an unconditional row) and what the
/// upsampler needs (the conditional row of its own text encoder). Computed once per prompt (glide-spec §4).
/// </summary>
/// <param name="Base">base.text on [prompt, negative prompt or ""]: row 0 conditional, row 1 unconditional.</param>
/// <param name="Upsample">upsample.text on [prompt], or null when the model set has no upsampler.</param>
/// <param name="TokenCount">Prompt tokens before truncation.</param>
public sealed record PromptEncoding(TextConditioning Base, TextConditioning? Upsample, int TokenCount)
{
    /// <summary>The prompt was longer than the 128-token context and was cut (glide-spec §2.1 keeps the first 128).</summary>
    public bool Truncated => TokenCount > Tokenization.GlideTokenizer.ContextLength;
}
