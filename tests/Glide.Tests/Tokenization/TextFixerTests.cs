using Glide.Tokenization;

namespace Glide.Tests.Tokenization;

/// <summary>The ftfy behaviours the CLIP cleaning relies on, as rules; the vectors hold one example of most.</summary>
public sealed class TextFixerTests
{
    [Theory]
    [InlineData("fish &amp; chips &lt;3", "fish & chips <3")]
    [InlineData("&amp;amp;", "&")] // fixed again until nothing changes
    [InlineData("P&EACUTE;REZ", "P\u00C9REZ")] // all-caps forms of lowercase names
    [InlineData("STRA&SZLIG;E", "STRASSE")] // ... with Python's full uppercase of the value
    [InlineData("&#x41;&#66;", "AB")]
    [InlineData("&#59;", "&#59;")] // decoding would leave a semicolon behind
    [InlineData("&amp", "&amp")] // no semicolon: not decoded by ftfy
    [InlineData("a <b> &amp; c", "a <b> &amp; c")] // a literal "<": may be HTML, so entities stay
    public void Unescapes_html_entities_outside_html(string text, string expected)
    {
        Assert.Equal(expected, TextFixer.FixText(text));
    }

    [Fact]
    public void Stops_unescaping_from_the_first_line_with_a_literal_angle_bracket()
    {
        Assert.Equal("&\n<a> &amp;\n&amp;", TextFixer.FixText("&amp;\n<a> &amp;\n&amp;"));
    }

    [Theory]
    [InlineData("caf\u00C3\u00A9", "caf\u00E9")] // UTF-8 read as Latin-1
    [InlineData("caf\u00C3\u0192\u00C2\u00A9", "caf\u00E9")] // ... twice
    [InlineData("don\u00E2\u20AC\u2122t", "don't")] // "’" read as Windows-1252, then uncurled
    [InlineData("\u00E4\u00B8\u20AC\u00E5\u008F\u00AA", "\u4E00\u53EA")] // CJK, with an undefined 1252 byte
    [InlineData("\u00C3\u00A9t\u00C3\u00A9 \U0001F600", "\u00E9t\u00E9 \U0001F600")] // beside an emoji
    [InlineData("caf\u00E9 na\u00EFve", "caf\u00E9 na\u00EFve")] // real Latin-1 text is not valid UTF-8
    [InlineData( // Cyrillic through Windows-1252
        "\u00D0\u0178\u00D1\u20AC\u00D0\u00B8\u00D0\u00B2\u00D0\u00B5\u00D1\u201A",
        "\u041F\u0440\u0438\u0432\u0435\u0442")]
    [InlineData("\u00C9T\u00C9\u201D \U0001F600", "\u00C9T\u00C9\" \U0001F600")] // accented capital, quote: real
    [InlineData("CAF\u00C9\u00BB", "CAF\u00C9\u00BB")] // would decode to U+027B, but "»" after "É" is French
    [InlineData("Stra\u00DF\u00A0e", "Stra\u00DF\u00A0e")] // would decode to U+07E0 (NKo): "ß" never leads
    [InlineData("Ma\u00DF\u00B2", "Ma\u00DF\u00B2")]
    [InlineData( // Greek: "λ" is "Î»", a guillemet that is mojibake because a letter follows it
        "\u00CE\u2022\u00CE\u00BB\u00CE\u00BB\u00CE\u00AC\u00CE\u00B4\u00CE\u00B1",
        "\u0395\u03BB\u03BB\u03AC\u03B4\u03B1")]
    public void Repairs_utf8_read_as_latin1_or_windows1252(string text, string expected)
    {
        Assert.Equal(expected, TextFixer.FixText(text));
    }

    [Theory]
    [InlineData("\u0093quoted\u0094", "\"quoted\"")] // C1 controls read as Windows-1252
    [InlineData("\uFB01ne \uFB02ower \uFB05", "fine flower \u017Ft")] // Latin ligatures
    [InlineData("\u01C6emal \u0133s", "d\u017Eemal ijs")] // legacy digraphs
    [InlineData("\uFF26\uFF35\uFF2C\uFF2C\u3000\uFF11\uFF12", "FULL 12")] // fullwidth forms and ideographic space
    [InlineData("\uFF76\uFF9E", "\u30AC")] // halfwidth katakana, then NFC joins the voicing mark
    [InlineData("\u2018a\u2019 \u201Cb\u201D \u02BCc", "'a' \"b\" 'c")]
    [InlineData("a\r\nb\rc\u2028d\u2029e", "a\nb\nc\nd\ne")]
    [InlineData("wait\u0085", "wait\u2026")] // NEL is a C1 control: Windows-1252's ellipsis before it is a line break
    [InlineData("\u001B[31mred\u001B[0m", "red")] // terminal colour codes
    [InlineData("\uFEFFa\u0001b\u007Fc\u200Bd\u200De\tf", "abc\u200Bd\u200De\tf")] // unwanted controls only
    [InlineData("e\u0301", "\u00E9")] // NFC
    [InlineData("\u00BD \u216B x\u00B2", "\u00BD \u216B x\u00B2")] // no NFKC: fractions, numerals, superscripts
    public void Applies_the_character_fixes(string text, string expected)
    {
        Assert.Equal(expected, TextFixer.FixText(text));
    }

    [Fact]
    public void Replaces_a_lone_surrogate()
    {
        // Built here: xunit would mangle a lone surrogate in [InlineData] on its way through test discovery.
        var text = "a" + (char)0xD800 + "b";

        Assert.Equal("a\uFFFDb", TextFixer.FixText(text));
    }
}
