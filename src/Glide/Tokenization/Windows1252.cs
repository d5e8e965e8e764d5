namespace Glide.Tokenization;

/// <summary>
/// Windows-1252, "sloppy" as ftfy and HTML5 read it: the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90,
/// 0x9D) stand for the C1 controls of the same number, so every byte has a character and back.
/// </summary>
internal static class Windows1252
{
    // 0x80–0x9F; every other byte is its Latin-1 character.
    private static readonly char[] C1Range =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    private static readonly Dictionary<char, byte> Reverse = BuildReverse();

    public static char Decode(byte value) => value is >= 0x80 and <= 0x9F ? C1Range[value - 0x80] : (char)value;

    /// <summary>The byte that decodes to <paramref name="c"/>, if any.</summary>
    public static bool TryEncode(char c, out byte value) => Reverse.TryGetValue(c, out value);

    private static Dictionary<char, byte> BuildReverse()
    {
        var reverse = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++)
        {
            reverse[Decode((byte)b)] = (byte)b;
        }

        return reverse;
    }
}
