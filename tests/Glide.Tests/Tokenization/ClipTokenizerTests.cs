using System.Security.Cryptography;
using System.Text;
using Glide.Tokenization;

namespace Glide.Tests.Tokenization;

public sealed class ClipTokenizerTests
{
    private static readonly ClipTokenizer Tokenizer = new();

    public static TheoryData<int> Cases() => TokenizerVectors.ClipIndices();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_each_reference_prompt_as_glide_text2im_does(int index)
    {
        var expected = TokenizerVectors.Clip[index];

        var ids = Tokenizer.Encode(expected.Prompt);
        var (tokens, textLength) = ClipTokenizer.PadAndLength(ids);

        Assert.Equal(expected.FtfyFixed, TextFixer.FixText(expected.Prompt));
        Assert.Equal(expected.Cleaned, ClipTextCleaner.Clean(expected.Prompt));
        Assert.Equal(expected.Pieces, ClipPreTokenizer.Split(expected.Cleaned));
        Assert.Equal(expected.Tokens, ids);
        Assert.Equal(expected.PaddedTokens, tokens);
        Assert.Equal(expected.TextLen, textLength);
    }

    [Fact]
    public void The_embedded_vocabulary_is_the_reference_file()
    {
        var text = EmbeddedData.ReadGzippedText(ClipVocabulary.ResourceName);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

        // glide-spec §2.2: 67603cfd…3c553fc8, the uncompressed bpe_simple_vocab_16e6.txt.
        Assert.Equal("67603cfda2e032ad77b5f8808af37789d590db664b26df8705d2bf8b3c553fc8", hash);
    }

    [Fact]
    public void The_vocabulary_has_49408_ids_ending_with_the_special_tokens()
    {
        var vocabulary = ClipVocabulary.Load();

        Assert.Equal(ClipVocabulary.Size - 1, vocabulary.Encoder.Values.Max());
        Assert.Equal(ClipTokenizer.StartToken, vocabulary.Encoder["<|startoftext|>"]);
        Assert.Equal(ClipTokenizer.EndToken, vocabulary.Encoder["<|endoftext|>"]);
        Assert.Equal(0, vocabulary.Encoder["!"]);
        Assert.Equal(256, vocabulary.Encoder["!</w>"]);
        Assert.Equal(ClipVocabulary.MergeCount, vocabulary.Merger.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t\r\n\u3000 ")]
    public void An_empty_or_white_space_prompt_is_just_start_and_end(string prompt)
    {
        var ids = Tokenizer.Encode(prompt);
        var (tokens, textLength) = ClipTokenizer.PadAndLength(ids);

        Assert.Empty(ids);
        Assert.Equal(2, textLength);
        Assert.Equal([ClipTokenizer.StartToken, ClipTokenizer.EndToken], tokens[..2]);
        Assert.All(tokens[2..], t => Assert.Equal(ClipTokenizer.PadToken, t));
    }

    [Theory]
    [InlineData(74, 76)]
    [InlineData(75, 77)]
    [InlineData(76, 77)]
    [InlineData(200, 77)]
    public void Padding_keeps_75_tokens_between_start_and_end(int count, int textLength)
    {
        var ids = Enumerable.Range(1, count).ToArray();

        var (tokens, length) = ClipTokenizer.PadAndLength(ids);

        Assert.Equal(textLength, length);
        Assert.Equal(ClipTokenizer.ContextLength, tokens.Length);
        Assert.Equal(ClipTokenizer.StartToken, tokens[0]);
        Assert.Equal(ClipTokenizer.EndToken, tokens[length - 1]);
        Assert.Equal(Enumerable.Range(1, length - 2).Select(i => (long)i), tokens[1..(length - 1)]);
        Assert.All(tokens[length..], t => Assert.Equal(ClipTokenizer.PadToken, t));
    }

    [Fact]
    public void Literal_special_tokens_in_the_prompt_are_recognised()
    {
        Assert.Equal([ClipTokenizer.EndToken], Tokenizer.Encode("<|endoftext|>"));
        Assert.Equal([ClipTokenizer.EndToken], Tokenizer.Encode("<|ENDOFTEXT|>"));
        Assert.Contains(ClipTokenizer.StartToken, Tokenizer.Encode("a photo of <|startoftext|> something"));
    }

    [Fact]
    public void Every_digit_is_a_piece_of_its_own()
    {
        Assert.Equal(["the", "year", "2", "0", "2", "1"], ClipPreTokenizer.Split("the year 2021"));
    }

    [Fact]
    public void The_long_s_matches_s_as_the_case_insensitive_pattern_does()
    {
        // Python: regex.findall(pat, "it'ſ", regex.IGNORECASE) == ["it", "'ſ"].
        Assert.Equal(["it", "'\u017F"], ClipPreTokenizer.Split("it'\u017F"));
    }

    [Fact]
    public void Html_entities_are_unescaped_even_where_ftfy_leaves_them()
    {
        // A literal "<" turns ftfy's unescaping off; the tokenizer's own html.unescape still decodes.
        Assert.Equal("<b> &amp; c", TextFixer.FixText("<b> &amp; c"));
        Assert.Equal("<b> & c", ClipTextCleaner.Clean("<b> &amp; c"));
        Assert.Equal(Tokenizer.Encode("fish & chips"), Tokenizer.Encode("fish &amp; chips"));
    }
}
