using Glide.Tokenization;

namespace Glide.Cli;

/// <summary>
/// A text's token ids as the app feeds them to a text graph, without the padding, and whether the context cut
/// the text short.
/// </summary>
internal sealed record TokenizedText(string Text, IReadOnlyList<long> Tokens, bool Truncated)
{
    /// <summary>GPT-2 BPE ids, cut to the first 128 as <see cref="GlideTokenizer.PadAndMask"/> does.</summary>
    public static TokenizedText Glide(string text, GlideTokenizer tokenizer)
    {
        var ids = tokenizer.Encode(text);
        var (tokens, mask) = GlideTokenizer.PadAndMask(ids);
        var count = mask.Count(m => m);
        return new TokenizedText(text, tokens[..count], ids.Length > GlideTokenizer.ContextLength);
    }

    /// <summary>
    /// CLIP ids framed by the start and end tokens, as <see cref="ClipTokenizer.PadAndLength"/> builds them (at most
    /// 75 text ids survive).
    /// </summary>
    public static TokenizedText Clip(string text, ClipTokenizer tokenizer)
    {
        var ids = tokenizer.Encode(text);
        var (tokens, length) = ClipTokenizer.PadAndLength(ids);
        return new TokenizedText(text, tokens[..length], ids.Length > ClipTokenizer.ContextLength - 2);
    }
}
