using Glide.Tokenization;

namespace Glide.Tests.Tokenization;

public sealed class GlideTokenizerTests
{
    // Loading recovers GPT-2's 50,000 merges from the rank file; one instance serves every test, as in a host.
    private static readonly GlideTokenizer Tokenizer = new();

    public static TheoryData<int> Cases() => TokenizerVectors.GlideIndices();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_each_reference_prompt_as_glide_text2im_does(int index)
    {
        var expected = TokenizerVectors.Glide[index];

        var ids = Tokenizer.Encode(expected.Prompt);
        var (tokens, mask) = GlideTokenizer.PadAndMask(ids);

        Assert.Equal(expected.Pieces, Gpt2PreTokenizer.Split(expected.Lowered));
        Assert.Equal(expected.Tokens, ids);
        Assert.Equal(expected.PaddedTokens, tokens);
        Assert.Equal(expected.Mask, mask);
    }

    [Fact]
    public void The_unconditional_row_is_all_end_tokens_with_a_false_mask_as_in_the_vectors()
    {
        var (tokens, mask) = GlideTokenizer.Unconditional;

        Assert.Equal(TokenizerVectors.GlideUnconditional.PaddedTokens, tokens);
        Assert.Equal(TokenizerVectors.GlideUnconditional.Mask, mask);
        Assert.All(tokens, t => Assert.Equal(GlideTokenizer.EndToken, t));
        Assert.Equal(GlideTokenizer.ContextLength, mask.Length);
    }

    [Fact]
    public void The_empty_prompt_pads_to_the_unconditional_row()
    {
        var ids = Tokenizer.Encode("");
        var (tokens, mask) = GlideTokenizer.PadAndMask(ids);

        Assert.Empty(ids);
        Assert.Equal(GlideTokenizer.Unconditional.Tokens, tokens);
        Assert.Equal(GlideTokenizer.Unconditional.Mask, mask);
    }

    [Fact]
    public void A_single_space_is_not_empty()
    {
        Assert.Equal([220], Tokenizer.Encode(" "));
    }

    [Fact]
    public void A_literal_end_of_text_is_seven_ordinary_tokens()
    {
        Assert.Equal([27, 91, 437, 1659, 5239, 91, 29], Tokenizer.Encode("<|endoftext|>"));
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(300)]
    public void Padding_keeps_the_first_128_tokens_and_masks_only_padding(int count)
    {
        var ids = Enumerable.Range(1, count).ToArray();

        var (tokens, mask) = GlideTokenizer.PadAndMask(ids);

        Assert.Equal(GlideTokenizer.ContextLength, tokens.Length);
        for (var i = 0; i < GlideTokenizer.ContextLength; i++)
        {
            Assert.Equal(i < count ? i + 1 : GlideTokenizer.EndToken, tokens[i]);
            Assert.Equal(i < count, mask[i]);
        }
    }

    [Fact]
    public void Prompts_of_exactly_128_and_129_tokens_fill_the_context()
    {
        var exact = TokenizerVectors.Glide.Single(v => v.NTokens == 128);
        var over = TokenizerVectors.Glide.Single(v => v.NTokens == 129);

        var (exactTokens, exactMask) = GlideTokenizer.PadAndMask(Tokenizer.Encode(exact.Prompt));
        var (overTokens, overMask) = GlideTokenizer.PadAndMask(Tokenizer.Encode(over.Prompt));

        Assert.All(exactMask, Assert.True);
        Assert.All(overMask, Assert.True);
        Assert.Equal(exact.Tokens.Select(t => (long)t), exactTokens);
        Assert.Equal(over.Tokens.Take(128).Select(t => (long)t), overTokens);
    }

    [Fact]
    public void Lowercases_before_splitting_so_shouted_contractions_split_like_quiet_ones()
    {
        Assert.Equal(Tokenizer.Encode("don't"), Tokenizer.Encode("DON'T"));
    }

    [Fact]
    public void A_supplementary_letter_is_one_letter_to_the_split_pattern()
    {
        // U+20000 is \p{L} to Python's regex; a UTF-16 regex would see two surrogates and split before "abc".
        Assert.Equal([" \U00020000abc", " x"], Gpt2PreTokenizer.Split(" \U00020000abc x"));
    }

    [Theory]
    [InlineData("a  b", new[] { "a", " ", " b" })]
    [InlineData("a \n", new[] { "a", " \n" })]
    [InlineData("x\t\ty", new[] { "x", "\t", "\t", "y" })]
    [InlineData("it's 2021!", new[] { "it", "'s", " 2021", "!" })]
    public void Splits_white_space_as_the_gpt2_pattern_does(string text, string[] pieces)
    {
        Assert.Equal(pieces, Gpt2PreTokenizer.Split(text));
    }

    [Fact]
    public void A_lone_surrogate_is_refused_as_the_reference_refuses_it()
    {
        Assert.Throws<ArgumentException>(() => Tokenizer.Encode("a" + (char)0xD800 + "b"));
    }
}
