using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// The CLIP tokenizer's text cleaning: ftfy, HTML unescaping twice, whitespace runs collapsed to one space and the
/// ends stripped, then Python lowercasing (glide-spec §2.2 steps 1–5).
/// </summary>
/// <remarks>Port of <c>basic_clean</c>, <c>whitespace_clean</c> and the <c>.lower()</c> in
/// <c>SimpleTokenizer.encode</c> (glide_text2im/tokenizer/simple_tokenizer.py).</remarks>
internal static class ClipTextCleaner
{
    // What str.isspace() accepts, which str.strip() strips: White_Space and also U+001C–U+001F.
    private static readonly char[] PythonSpaces =
    [
        '\t', '\n', '\v', '\f', '\r', '\u001C', '\u001D', '\u001E', '\u001F', ' ', '\u0085', '\u00A0', '\u1680',
        '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A',
        '\u2028', '\u2029', '\u202F', '\u205F', '\u3000',
    ];

    /// <summary>The cleaned, lowercased text that the split pattern runs over.</summary>
    public static string Clean(string text)
    {
        // basic_clean: ftfy, html.unescape twice, strip.
        var cleaned = PythonStrip(PythonHtml.Unescape(PythonHtml.Unescape(TextFixer.FixText(text))));

        // whitespace_clean: regex's \s (White_Space) runs to one space, strip again.
        return PythonLowercase.Lower(PythonStrip(CollapseWhiteSpace(cleaned)));
    }

    private static string CollapseWhiteSpace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var inRun = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!inRun)
                {
                    builder.Append(' ');
                }

                inRun = true;
            }
            else
            {
                builder.Append(c);
                inRun = false;
            }
        }

        return builder.ToString();
    }

    // str.strip() with no argument.
    private static string PythonStrip(string text) => text.Trim(PythonSpaces);
}
