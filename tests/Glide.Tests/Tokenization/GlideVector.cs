namespace Glide.Tests.Tokenization;

/// <summary>One case of tests/fixtures/vectors/tokenizer_glide.json (glide-spec §2.3).</summary>
internal sealed record GlideVector(
    string Prompt, string Lowered, string[] Pieces, int[] Tokens, int NTokens, long[] PaddedTokens, bool[] Mask);
