using System.Text.RegularExpressions;

namespace Glide.Tokenization;

/// <summary>Python's <c>html.unescape</c>, which the CLIP tokenizer applies twice after ftfy.</summary>
/// <remarks>
/// Port of <c>html.unescape</c> / <c>_replace_charref</c> (CPython Lib/html/__init__.py): HTML5 rules, so names
/// without a semicolon decode by their longest known prefix ("&amp;ampx" is "&amp;x"), and numeric references to C1
/// controls, surrogates, out-of-range values and noncharacters are replaced as the HTML5 parser does.
/// </remarks>
internal static partial class PythonHtml
{
    // Windows-1252 readings of numeric references 0x80–0x9F (and 0x00, 0x0D), per HTML5's table.
    private static readonly Dictionary<int, string> InvalidCharRefs = BuildInvalidCharRefs();

    public static string Unescape(string text)
    {
        if (!text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        return CharRef().Replace(text, match => Replace(match.Groups[1].Value));
    }

    /// <summary>The value of one reference without its ampersand, e.g. <c>#x41;</c> or <c>amp</c>.</summary>
    internal static string Replace(string reference)
    {
        if (reference[0] == '#')
        {
            var hex = reference[1] is 'x' or 'X';
            var digits = reference.AsSpan(hex ? 2 : 1).TrimEnd(';');
            var number = ParseCodePoint(digits, hex);
            if (InvalidCharRefs.TryGetValue(number, out var replacement))
            {
                return replacement;
            }

            if (number is >= 0xD800 and <= 0xDFFF or > 0x10FFFF)
            {
                return "\uFFFD";
            }

            return IsInvalidCodePoint(number) ? string.Empty : char.ConvertFromUtf32(number);
        }

        var entities = HtmlEntities.Values;
        if (entities.TryGetValue(reference, out var value))
        {
            return value;
        }

        for (var length = reference.Length - 1; length > 1; length--)
        {
            if (entities.TryGetValue(reference[..length], out var prefixValue))
            {
                return prefixValue + reference[length..];
            }
        }

        return "&" + reference;
    }

    // Python's int() has no overflow; anything past U+10FFFF is replaced alike, so saturate there.
    private static int ParseCodePoint(ReadOnlySpan<char> digits, bool hex)
    {
        var radix = hex ? 16 : 10;
        long value = 0;
        foreach (var c in digits)
        {
            value = (value * radix) + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            if (value > 0x10FFFF)
            {
                return 0x110000;
            }
        }

        return (int)value;
    }

    private static bool IsInvalidCodePoint(int number)
        => number is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
           || (number & 0xFFFE) == 0xFFFE;

    private static Dictionary<int, string> BuildInvalidCharRefs()
    {
        var table = new Dictionary<int, string> { [0x00] = "\uFFFD", [0x0D] = "\r" };
        for (var b = 0x80; b <= 0x9F; b++)
        {
            table[b] = Windows1252.Decode((byte)b).ToString();
        }

        return table;
    }

    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)", RegexOptions.CultureInvariant)]
    private static partial Regex CharRef();
}
