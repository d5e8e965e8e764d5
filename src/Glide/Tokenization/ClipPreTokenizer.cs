namespace Glide.Tokenization;

/// <summary>
/// Splits cleaned text into CLIP's pieces: <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|
/// [\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> with IGNORECASE; white space between pieces is dropped, and each digit is a
/// piece of its own.
/// </summary>
/// <remarks>
/// Port of <c>SimpleTokenizer.pat</c> / <c>re.findall</c> (glide_text2im/tokenizer/simple_tokenizer.py), by hand over
/// code points as <see cref="Gpt2PreTokenizer"/> is. The text is already lowercase, so IGNORECASE is left with one
/// effect: the long s "ſ" matches "s" (simple case folding), in the contractions and in "startoftext".
/// </remarks>
internal static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";

    private static readonly string[] Literals =
        [StartOfText, EndOfText, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var position = 0;
        while (position < text.Length)
        {
            var (value, length) = CodePoints.At(text, position);
            var end = MatchAt(text, position, CodePoints.Classify(value), length);
            if (end == position)
            {
                // White space matches no alternative; findall moves on past it.
                position += length;
                continue;
            }

            pieces.Add(text[position..end]);
            position = end;
        }

        return pieces;
    }

    private static int MatchAt(string text, int start, CodePointClass first, int firstLength)
    {
        foreach (var literal in Literals)
        {
            if (MatchesIgnoringCase(text, start, literal))
            {
                return start + literal.Length;
            }
        }

        return first switch
        {
            CodePointClass.Letter or CodePointClass.Other => CodePoints.RunEnd(text, start, first),
            CodePointClass.Number => start + firstLength,
            _ => start,
        };
    }

    private static bool MatchesIgnoringCase(string text, int start, string literal)
    {
        if (start + literal.Length > text.Length)
        {
            return false;
        }

        for (var i = 0; i < literal.Length; i++)
        {
            var c = text[start + i];
            if (c != literal[i] && !(literal[i] == 's' && c == '\u017F'))
            {
                return false;
            }
        }

        return true;
    }
}
