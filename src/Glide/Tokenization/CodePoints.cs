using System.Globalization;
using System.Text;

namespace Glide.Tokenization;

/// <summary>Reads code points out of UTF-16 text the way a Python <c>str</c> holds them.</summary>
internal static class CodePoints
{
    /// <summary>
    /// The code point at <paramref name="index"/> and how many UTF-16 units it takes: a surrogate pair is one code
    /// point, a lone surrogate is one of its own (category Cs), as in Python.
    /// </summary>
    public static (int Value, int Length) At(string text, int index)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            return (char.ConvertToUtf32(c, text[index + 1]), 2);
        }

        return (c, 1);
    }

    /// <summary>Which of <c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c> (Unicode White_Space) or none holds the code point.
    /// </summary>
    public static CodePointClass Classify(int value)
    {
        if (!Rune.IsValid(value))
        {
            return CodePointClass.Other;
        }

        var rune = new Rune(value);
        if (Rune.IsWhiteSpace(rune))
        {
            // .NET's white space (Zs, Zl, Zp, U+0009–U+000D, U+0085) is exactly White_Space, regex's \s.
            return CodePointClass.Space;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodePointClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                => CodePointClass.Number,
            _ => CodePointClass.Other,
        };
    }

    /// <summary>The class of the code point at <paramref name="index"/>, or null past the end.</summary>
    public static CodePointClass? ClassAt(string text, int index)
        => index < text.Length ? Classify(At(text, index).Value) : null;

    /// <summary>Where the run of code points of class <paramref name="run"/> that starts at <paramref name="position"/>
    /// ends.</summary>
    public static int RunEnd(string text, int position, CodePointClass run)
    {
        while (position < text.Length)
        {
            var (value, length) = At(text, position);
            if (Classify(value) != run)
            {
                break;
            }

            position += length;
        }

        return position;
    }
}
