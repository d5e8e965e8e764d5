using Glide.Models;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>The text stage: prompt → tokens (glide-spec §2.1) → text encoder graphs (§4), once per request.</summary>
public sealed class PromptEncoder
{
    private readonly GlideTokenizer _tokenizer;

    public PromptEncoder(GlideTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
    }

    /// <summary>Encodes for the base (with guidance) and, when given, the upsampler.</summary>
    public PromptEncoding Encode(
        string prompt, string? negativePrompt, TextEncoderGraph baseText, TextEncoderGraph? upsampleText)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(baseText);
        var ids = _tokenizer.Encode(prompt);
        var (tokens, mask) = GlideTokenizer.PadAndMask(ids);
        // An empty negative prompt tokenizes to exactly the unconditional row (glide-spec §2.1).
        var (negTokens, negMask) = GlideTokenizer.PadAndMask(_tokenizer.Encode(negativePrompt ?? string.Empty));

        var context = GlideTokenizer.ContextLength;
        var pairTokens = new long[2 * context];
        var pairMask = new bool[2 * context];
        tokens.CopyTo(pairTokens, 0);
        negTokens.CopyTo(pairTokens, context);
        mask.CopyTo(pairMask, 0);
        negMask.CopyTo(pairMask, context);
        var baseConditioning = baseText.Encode(pairTokens, pairMask, 2);
        var upsampleConditioning = upsampleText?.Encode(tokens, mask, 1);
        return new PromptEncoding(baseConditioning, upsampleConditioning, ids.Length);
    }
}
