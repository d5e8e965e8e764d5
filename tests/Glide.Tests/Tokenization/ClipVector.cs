namespace Glide.Tests.Tokenization;

/// <summary>One case of tests/fixtures/vectors/tokenizer_clip.json (glide-spec §2.3).</summary>
internal sealed record ClipVector(
    string Prompt, string FtfyFixed, string Cleaned, string[] Pieces, int[] Tokens, int NTokens, long[] PaddedTokens,
    int TextLen);
