using System.Globalization;
using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// Python 3's <c>str.lower()</c>: both GLIDE tokenizers lowercase with it, and .NET's invariant lowercasing differs
/// from it on U+0130 and on Greek final sigma (glide-spec §2.1), which changes token ids.
/// </summary>
/// <remarks>
/// Port of CPython's <c>unicode_lower</c> / <c>lower_ucs4</c> / <c>handle_capital_sigma</c> (Objects/unicodeobject.c):
/// per code point, the full lowercase mapping, which is the simple mapping except for SpecialCasing's one
/// unconditional lowercase rule (U+0130) and its one language-independent conditional rule (Final_Sigma). Outside
/// those, <see cref="Rune.ToLowerInvariant"/> gives Python 3.11's result for every code point assigned in Unicode 14
/// (compared one by one when this was written).
/// </remarks>
public static class PythonLowercase
{
    private const int CapitalSigma = 0x03A3;
    private const int SmallSigma = 0x03C3;
    private const int SmallFinalSigma = 0x03C2;
    private const int CapitalIWithDotAbove = 0x0130;

    // SpecialCasing.txt: "0130; 0069 0307; 0130; 0130; # LATIN CAPITAL LETTER I WITH DOT ABOVE".
    private const string CapitalIWithDotAboveLower = "i\u0307";

    // DerivedCoreProperties Other_Lowercase / Other_Uppercase (as Python 3.11 / Unicode 14 has them): the letters and
    // symbols that are Cased without being Lu, Ll or Lt, which .NET does not expose.
    private static readonly (int First, int Last)[] OtherLowercase =
    [
        (0x00AA, 0x00AA), (0x00BA, 0x00BA), (0x02B0, 0x02B8), (0x02C0, 0x02C1), (0x02E0, 0x02E4), (0x0345, 0x0345),
        (0x037A, 0x037A), (0x1D2C, 0x1D6A), (0x1D78, 0x1D78), (0x1D9B, 0x1DBF), (0x2071, 0x2071), (0x207F, 0x207F),
        (0x2090, 0x209C), (0x2170, 0x217F), (0x24D0, 0x24E9), (0x2C7C, 0x2C7D), (0xA69C, 0xA69D), (0xA770, 0xA770),
        (0xA7F8, 0xA7F9), (0xAB5C, 0xAB5F), (0x10780, 0x10780), (0x10783, 0x10785), (0x10787, 0x107B0),
        (0x107B2, 0x107BA),
    ];

    private static readonly (int First, int Last)[] OtherUppercase =
    [
        (0x2160, 0x216F), (0x24B6, 0x24CF), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189),
    ];

    // Case_Ignorable also takes Word_Break = MidLetter, MidNumLet and Single_Quote (Unicode §3.13, D136).
    private static readonly int[] WordBreakMidLetterOrQuote =
    [
        0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52,
        0xFE55, 0xFF07, 0xFF0E, 0xFF1A,
    ];

    /// <summary>Lowercases <paramref name="text"/> exactly as Python 3's <c>str.lower()</c> does.</summary>
    public static string Lower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsAsciiWithoutUpper(text))
        {
            return text;
        }

        var codePoints = ToCodePoints(text);
        var builder = new StringBuilder(text.Length + 4);
        for (var i = 0; i < codePoints.Length; i++)
        {
            var value = codePoints[i];
            if (!Rune.IsValid(value))
            {
                // A lone surrogate is a code point of its own in a Python str, and lowercases to itself.
                builder.Append((char)value);
                continue;
            }

            switch (value)
            {
                case CapitalIWithDotAbove:
                    builder.Append(CapitalIWithDotAboveLower);
                    break;
                case CapitalSigma:
                    builder.Append((char)(IsFinalSigma(codePoints, i) ? SmallFinalSigma : SmallSigma));
                    break;
                default:
                    builder.Append(Rune.ToLowerInvariant(new Rune(value)).ToString());
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Unicode's <c>Cased</c> property: Lowercase, Uppercase or Lt.</summary>
    internal static bool IsCased(int codePoint)
    {
        if (!Rune.IsValid(codePoint))
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(new Rune(codePoint));
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                   or UnicodeCategory.TitlecaseLetter
               || InRanges(codePoint, OtherLowercase)
               || InRanges(codePoint, OtherUppercase);
    }

    /// <summary>Unicode's <c>Case_Ignorable</c> property.</summary>
    internal static bool IsCaseIgnorable(int codePoint)
    {
        if (!Rune.IsValid(codePoint))
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(new Rune(codePoint));
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                   or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
               || Array.BinarySearch(WordBreakMidLetterOrQuote, codePoint) >= 0;
    }

    /// <summary>The string's code points as Python sees them: surrogate pairs combined, lone surrogates kept.</summary>
    internal static int[] ToCodePoints(string text)
    {
        var codePoints = new List<int>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var (value, length) = CodePoints.At(text, i);
            codePoints.Add(value);
            i += length;
        }

        return [.. codePoints];
    }

    // Final_Sigma: \p{cased} \p{case-ignorable}* U+03A3 !( \p{case-ignorable}* \p{cased} ).
    private static bool IsFinalSigma(int[] codePoints, int index)
    {
        var j = index - 1;
        while (j >= 0 && IsCaseIgnorable(codePoints[j]))
        {
            j--;
        }

        if (j < 0 || !IsCased(codePoints[j]))
        {
            return false;
        }

        j = index + 1;
        while (j < codePoints.Length && IsCaseIgnorable(codePoints[j]))
        {
            j++;
        }

        return j == codePoints.Length || !IsCased(codePoints[j]);
    }

    private static bool IsAsciiWithoutUpper(string text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80 || c is >= 'A' and <= 'Z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool InRanges(int value, (int First, int Last)[] ranges)
    {
        foreach (var (first, last) in ranges)
        {
            if (value < first)
            {
                return false;
            }

            if (value <= last)
            {
                return true;
            }
        }

        return false;
    }
}
