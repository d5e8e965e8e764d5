namespace Glide.Tokenization;

/// <summary>
/// Splits text into the pieces GPT-2's pattern finds, which BPE then encodes one by one:
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> (no IGNORECASE).
/// </summary>
/// <remarks>
/// Port of <c>Encoder.pat</c> / <c>regex.findall</c> in glide_text2im/tokenizer/bpe.py, written out by hand over code
/// points (see <see cref="CodePointClass"/>): at each position the first alternative that matches wins, as in the
/// regex, and every code point is in some alternative, so the pieces cover the text.
/// </remarks>
internal static class Gpt2PreTokenizer
{
    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var position = 0;
        while (position < text.Length)
        {
            var end = MatchAt(text, position);
            pieces.Add(text[position..end]);
            position = end;
        }

        return pieces;
    }

    private static int MatchAt(string text, int start)
    {
        foreach (var contraction in Contractions)
        {
            if (string.CompareOrdinal(text, start, contraction, 0, contraction.Length) == 0)
            {
                return start + contraction.Length;
            }
        }

        var first = CodePoints.ClassAt(text, start)!.Value;

        // " ?X+" for X in letters, numbers, other: the optional space is taken when X follows it.
        var afterSpace = text[start] == ' ' ? CodePoints.ClassAt(text, start + 1) : null;
        foreach (var run in new[] { CodePointClass.Letter, CodePointClass.Number, CodePointClass.Other })
        {
            if (afterSpace == run)
            {
                return CodePoints.RunEnd(text, start + 1, run);
            }

            if (first == run)
            {
                return CodePoints.RunEnd(text, start, run);
            }
        }

        // first is white space here. "\s+(?!\S)": the whole run if it ends the text or, backtracking one code point,
        // all but the last when a non-space follows and the run is longer than one; else "\s+" takes the whole run.
        var end = CodePoints.RunEnd(text, start, CodePointClass.Space);
        if (end == text.Length)
        {
            return end;
        }

        // White space is all in the BMP, so backtracking one code point is one UTF-16 unit.
        return end - 1 > start ? end - 1 : end;
    }
}
