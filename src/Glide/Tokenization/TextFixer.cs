using System.Text;
using System.Text.RegularExpressions;

namespace Glide.Tokenization;

/// <summary>
/// The part of <c>ftfy.fix_text</c> (default settings, ftfy 6.3) that the CLIP tokenizer's cleaning depends on:
/// HTML entity unescaping, mojibake repair, C1 controls read as Windows-1252, Latin ligatures split, fullwidth and
/// halfwidth forms to standard width, curly quotes straightened, line breaks to "\n", lone surrogates replaced,
/// terminal escapes and unwanted control characters removed, and NFC; all repeated until nothing changes.
/// </summary>
/// <remarks>
/// After <c>ftfy.fix_text</c> / <c>fix_and_explain</c> and the fixers in <c>ftfy.fixes</c>, written from their
/// documented behaviour. The mojibake repair is narrower than ftfy's (see <see cref="MojibakeRepair"/>).
/// </remarks>
internal static partial class TextFixer
{
    // ftfy's max_decode_length: longer lines are fixed in pieces of this many characters.
    private const int MaxSegmentLength = 1_000_000;

    private static readonly Lazy<Dictionary<string, string>> FtfyEntities = new(BuildFtfyEntities);

    // Latin ligatures and legacy digraphs, to the letters they are made of (ﬅ keeps its long s, as ftfy does).
    private static readonly Dictionary<char, string> Ligatures = new()
    {
        ['\u0132'] = "IJ", ['\u0133'] = "ij", ['\u0149'] = "\u02BCn",
        ['\u01F1'] = "DZ", ['\u01F2'] = "Dz", ['\u01F3'] = "dz",
        ['\u01C4'] = "D\u017D", ['\u01C5'] = "D\u017E", ['\u01C6'] = "d\u017E",
        ['\u01C7'] = "LJ", ['\u01C8'] = "Lj", ['\u01C9'] = "lj",
        ['\u01CA'] = "NJ", ['\u01CB'] = "Nj", ['\u01CC'] = "nj",
        ['\uFB00'] = "ff", ['\uFB01'] = "fi", ['\uFB02'] = "fl", ['\uFB03'] = "ffi", ['\uFB04'] = "ffl",
        ['\uFB05'] = "\u017Ft", ['\uFB06'] = "st",
    };

    private static readonly Dictionary<char, string> Widths = BuildWidthMap();

    /// <summary>Fixes <paramref name="text"/> as <c>ftfy.fix_text(text)</c> does, line by line.</summary>
    public static string FixText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // "auto": unescape entities until a line with a literal "<" shows the text may be HTML, then never again.
        var unescapeHtml = true;
        var builder = new StringBuilder(text.Length);
        var position = 0;
        while (position < text.Length)
        {
            var lineFeed = text.IndexOf('\n', position);
            var end = lineFeed < 0 ? text.Length : lineFeed + 1;
            end = Math.Min(end, position + MaxSegmentLength);
            var segment = text[position..end];
            if (unescapeHtml && segment.Contains('<', StringComparison.Ordinal))
            {
                unescapeHtml = false;
            }

            builder.Append(FixSegment(segment, unescapeHtml));
            position = end;
        }

        return builder.ToString();
    }

    private static string FixSegment(string text, bool unescapeHtml)
    {
        while (true)
        {
            var original = text;
            if (unescapeHtml)
            {
                text = UnescapeHtml(text);
            }

            text = MojibakeRepair.FixEncoding(text);
            text = FixC1Controls(text);
            text = Translate(text, Ligatures);
            text = Translate(text, Widths);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = TerminalEscape().Replace(text, string.Empty);
            text = RemoveControlChars(text);
            text = text.Normalize(NormalizationForm.FormC);
            if (text == original)
            {
                return text;
            }
        }
    }

    /// <summary>
    /// ftfy's <c>unescape_html</c>: only references that end in a semicolon, plus all-caps forms of lowercase names
    /// ("&amp;EACUTE;" → "É"); a numeric reference that would leave its semicolon behind is kept as it is.
    /// </summary>
    internal static string UnescapeHtml(string text)
    {
        if (!text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        return FtfyEntityReference().Replace(text, match =>
        {
            var reference = match.Value;
            if (FtfyEntities.Value.TryGetValue(reference, out var value))
            {
                return value;
            }

            if (reference.StartsWith("&#", StringComparison.Ordinal))
            {
                var unescaped = PythonHtml.Unescape(reference);
                return unescaped.Contains(';', StringComparison.Ordinal) ? reference : unescaped;
            }

            return reference;
        });
    }

    private static Dictionary<string, string> BuildFtfyEntities()
    {
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in HtmlEntities.Values)
        {
            if (!name.EndsWith(';'))
            {
                continue;
            }

            entities["&" + name] = value;

            // Upper-cased names decode only where that is unambiguous: HTML itself would leave them alone.
            if (!name.Any(char.IsAsciiLetterUpper))
            {
                var upper = "&" + name.ToUpperInvariant();
                if (PythonHtml.Unescape(upper) == upper)
                {
                    entities[upper] = HtmlEntities.UpperValues[name];
                }
            }
        }

        return entities;
    }

    // C1 controls (U+0080–U+009F) left over are read as the Windows-1252 characters of those bytes, as browsers do.
    private static string FixC1Controls(string text)
    {
        if (!text.Any(c => c is >= '\u0080' and <= '\u009F'))
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= '\u0080' and <= '\u009F')
            {
                chars[i] = Windows1252.Decode((byte)chars[i]);
            }
        }

        return new string(chars);
    }

    private static string UncurlQuotes(string text)
    {
        if (!text.Any(c => c is '\u02BC' or >= '\u2018' and <= '\u201F'))
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = chars[i] switch
            {
                '\u02BC' or >= '\u2018' and <= '\u201B' => '\'',
                >= '\u201C' and <= '\u201F' => '"',
                var c => c,
            };
        }

        return new string(chars);
    }

    private static string FixLineBreaks(string text)
        => text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace('\r', '\n')
            .Replace('\u2028', '\n')
            .Replace('\u2029', '\n')
            .Replace('\u0085', '\n');

    // Paired surrogates are already one character in .NET; a lone one becomes U+FFFD.
    private static string FixSurrogates(string text)
    {
        char[]? chars = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                chars ??= text.ToCharArray();
                chars[i] = '\uFFFD';
            }
        }

        return chars is null ? text : new string(chars);
    }

    // ASCII controls other than \t \n \f \r, the deprecated Arabic format controls, the BOM and interlinear
    // annotation marks; joiners, bidi marks and C1 controls stay (ftfy's remove_control_chars).
    private static string RemoveControlChars(string text)
    {
        if (!text.Any(IsRemovedControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsRemovedControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsRemovedControl(char c)
        => c is <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F' or >= '\u206A' and <= '\u206F'
            or '\uFEFF' or >= '\uFFF9' and <= '\uFFFC';

    private static string Translate(string text, Dictionary<char, string> map)
    {
        if (!text.Any(map.ContainsKey))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (map.TryGetValue(c, out var replacement))
            {
                builder.Append(replacement);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // U+3000 IDEOGRAPHIC SPACE to a space, and each halfwidth/fullwidth form (U+FF01–U+FFEF) to its NFKC form.
    private static Dictionary<char, string> BuildWidthMap()
    {
        var map = new Dictionary<char, string> { ['\u3000'] = " " };
        for (var c = '\uFF01'; c < '\uFFF0'; c++)
        {
            var single = c.ToString();
            var normalized = single.Normalize(NormalizationForm.FormKC);
            if (normalized != single)
            {
                map[c] = normalized;
            }
        }

        return map;
    }

    [GeneratedRegex("&#?[0-9A-Za-z]{1,24};", RegexOptions.CultureInvariant)]
    private static partial Regex FtfyEntityReference();

    [GeneratedRegex(@"\x1b\[((?:\d|;)*)([a-zA-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex TerminalEscape();
}
