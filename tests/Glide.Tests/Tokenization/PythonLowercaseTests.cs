using Glide.Tokenization;

namespace Glide.Tests.Tokenization;

public sealed class PythonLowercaseTests
{
    public static TheoryData<int> Cases() => TokenizerVectors.GlideIndices();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lowercases_each_reference_prompt_as_python_does(int index)
    {
        var expected = TokenizerVectors.Glide[index];

        Assert.Equal(expected.Lowered, PythonLowercase.Lower(expected.Prompt));
    }

    [Theory]
    [InlineData("\u0130stanbul", "i\u0307stanbul")] // SpecialCasing: İ → i + COMBINING DOT ABOVE
    [InlineData("\u0131", "\u0131")] // dotless i is already lowercase
    [InlineData("\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C2")] // ΟΔΟΣ → οδος
    [InlineData("\u03A3", "\u03C3")] // nothing cased before it
    [InlineData("\u03A3A", "\u03C3a")]
    [InlineData("A\u03A3B", "a\u03C3b")] // cased on both sides: not word-final
    [InlineData("A\u03A3.", "a\u03C2.")] // "." is case-ignorable and not cased
    [InlineData("A\u03A3'B", "a\u03C3'b")] // the apostrophe is skipped, then B is cased
    [InlineData("A\u0301\u03A3", "a\u0301\u03C2")] // the combining mark before it is skipped
    [InlineData("A\u03A3 \u03A3", "a\u03C2 \u03C3")]
    [InlineData("STRASSE \u1E9E", "strasse \u00DF")]
    [InlineData("\u2160\u216B", "\u2170\u217B")] // Roman numerals (Other_Uppercase) lowercase too
    [InlineData("\U00010400", "\U00010428")] // a surrogate pair is one code point
    public void Applies_full_lowercasing_and_final_sigma(string text, string lowered)
    {
        Assert.Equal(lowered, PythonLowercase.Lower(text));
    }

    [Fact]
    public void A_final_sigma_after_a_cased_symbol_that_is_not_a_letter_is_final()
    {
        // U+24B6 CIRCLED LATIN CAPITAL LETTER A is So but Cased (Other_Uppercase), so Σ after it ends a word.
        Assert.Equal("\u24D0\u03C2", PythonLowercase.Lower("\u24B6\u03A3"));
    }

    [Fact]
    public void Leaves_lone_surrogates_and_ascii_as_they_are()
    {
        var surrogate = ((char)0xD800).ToString();

        Assert.Equal("a" + surrogate + "b", PythonLowercase.Lower("A" + surrogate + "B"));
        Assert.Same("already lower 123", PythonLowercase.Lower("already lower 123"));
    }
}
