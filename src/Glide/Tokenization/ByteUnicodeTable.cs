namespace Glide.Tokenization;

/// <summary>
/// The byte ↔ printable-character table that GPT-2 and CLIP BPE both run over, so that merges and vocabulary entries
/// are strings without whitespace or control characters.
/// </summary>
/// <remarks>Port of <c>bytes_to_unicode()</c> in glide_text2im/tokenizer/bpe.py and simple_tokenizer.py.</remarks>
internal static class ByteUnicodeTable
{
    private static readonly char[] Chars = new char[256];
    private static readonly byte[] InsertionOrder = new byte[256];

    static ByteUnicodeTable()
    {
        // Printable Latin-1 bytes stand for themselves; the other 68 take the characters from U+0100 on, in byte order.
        var printable = new bool[256];
        var count = 0;
        foreach (var (first, last) in new[] { ('!', '~'), ('\u00A1', '\u00AC'), ('\u00AE', '\u00FF') })
        {
            for (int b = first; b <= last; b++)
            {
                printable[b] = true;
                Chars[b] = (char)b;
                InsertionOrder[count++] = (byte)b;
            }
        }

        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            if (!printable[b])
            {
                Chars[b] = (char)next++;
                InsertionOrder[count++] = (byte)b;
            }
        }
    }

    /// <summary>The bytes in the table's insertion order: the first 256 ids of the CLIP vocabulary follow it.</summary>
    public static ReadOnlySpan<byte> Order => InsertionOrder;

    /// <summary>The character standing for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => Chars[value];

    /// <summary>Maps each byte of <paramref name="bytes"/> to its character.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        Span<char> buffer = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            buffer[i] = Chars[bytes[i]];
        }

        return new string(buffer);
    }
}
