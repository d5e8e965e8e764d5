using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// ftfy's mojibake repair for the case the CLIP tokenizer meets in practice: UTF-8 that was decoded as Latin-1 or
/// Windows-1252 ("cafÃ©" for "café", "â€™" for "’"), repaired by encoding back to those bytes and decoding as UTF-8,
/// repeatedly, so that double-encoded text comes out right too.
/// </summary>
/// <remarks>
/// After <c>ftfy.fix_encoding</c> / <c>_fix_encoding_one_step_and_explain</c> and
/// <c>fixes.decode_inconsistent_utf8</c> (ftfy 6.3), restricted on purpose:
/// <list type="bullet">
/// <item>Only Latin-1 and Windows-1252 are tried; ftfy also tries Windows-1250/1251/1253/1254/1257, ISO-8859-2,
/// MacRoman and cp437, and it restores spaces that stood for byte A0 and sequences lost to U+FFFD.</item>
/// <item>ftfy first asks its "badness" heuristic whether the text looks like mojibake at all. That heuristic is not
/// ported; instead each UTF-8 sequence the repair would decode must look convincing on its own: any three- or
/// four-byte one ("â€™", "ä¸€"); a two-byte one led by "Â" or "Ã" (U+0080–U+00FF seen through Latin-1); and a
/// two-byte one that reads as Latin Extended-A, Greek, Cyrillic, Hebrew or Arabic, unless its second character is a
/// quotation mark, guillemet or no-break space that ends a word, as real text puts one after an accented letter
/// ("CAFÉ»"). A whole segment is re-decoded when all of its sequences convince; inside text that does not re-encode
/// (mojibake beside an emoji, say) each convincing sequence is decoded.</item>
/// </list>
/// </remarks>
internal static class MojibakeRepair
{
    /// <summary>Repairs <paramref name="text"/> until a step changes nothing (<c>fix_encoding</c>).</summary>
    public static string FixEncoding(string text)
    {
        while (true)
        {
            var fixedText = FixOneStep(text);
            if (fixedText == text)
            {
                return text;
            }

            text = fixedText;
        }
    }

    private static string FixOneStep(string text)
    {
        if (Ascii.IsValid(text))
        {
            return text;
        }

        var isLatin1 = TryEncodeLatin1(text, out var latin1Bytes);
        if (isLatin1 && TryDecodeConvincingUtf8(latin1Bytes, out var fromLatin1))
        {
            return fromLatin1;
        }

        if (TryEncodeWindows1252(text, out var windowsBytes)
            && TryDecodeConvincingUtf8(windowsBytes, out var fromWindows))
        {
            return fromWindows;
        }

        var embedded = DecodeEmbeddedUtf8(text);
        if (embedded != text)
        {
            return embedded;
        }

        // Latin-1 text with C1 controls was meant as Windows-1252 (strictly: the five bytes it leaves undefined fail).
        if (isLatin1 && TryDecodeStrictWindows1252(latin1Bytes, out var asWindows))
        {
            return asWindows;
        }

        return text;
    }

    /// <summary>Decodes the runs that read as UTF-8 through Windows-1252 (or Latin-1) inside other text.</summary>
    private static string DecodeEmbeddedUtf8(string text)
    {
        StringBuilder? builder = null;
        var copied = 0;
        var i = 0;
        Span<byte> sequence = stackalloc byte[4];
        while (i < text.Length)
        {
            var length = SequenceAt(text, i, sequence);
            if (length == 0)
            {
                i++;
                continue;
            }

            builder ??= new StringBuilder(text.Length);
            builder.Append(text, copied, i - copied);
            builder.Append(StrictUtf8.Encoding.GetString(sequence[..length]));
            i += length;
            copied = i;
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }

    // The length of the well-formed, accepted UTF-8 sequence whose bytes the characters from index stand for, or 0.
    private static int SequenceAt(string text, int index, Span<byte> sequence)
    {
        if (!TryByte(text[index], out var lead))
        {
            return 0;
        }

        var length = SequenceLength(lead);
        if (length == 0 || index + length > text.Length)
        {
            return 0;
        }

        sequence[0] = lead;
        for (var k = 1; k < length; k++)
        {
            if (!TryByte(text[index + k], out var b) || b is < 0x80 or > 0xBF)
            {
                return 0;
            }

            sequence[k] = b;
        }

        var bytes = sequence[..length];
        var next = index + length;
        var followedByWord = next < text.Length && (text[next] >= '\u0080' || char.IsAsciiLetterOrDigit(text[next]));
        return IsConvincing(bytes, followedByWord) && TryDecodeUtf8(bytes.ToArray(), out _) ? length : 0;
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    // followedByWord: a letter, digit or non-ASCII character comes right after the sequence.
    private static bool IsConvincing(ReadOnlySpan<byte> sequence, bool followedByWord)
    {
        if (sequence.Length > 2)
        {
            return true;
        }

        // Two-byte sequences: led by Â or Ã always; led by a character whose UTF-8 reading is Latin Extended-A,
        // Greek, Cyrillic, Hebrew or Arabic (the scripts whose mojibake is common) when the second character is
        // not a quote or space closing a word; otherwise (ß before ½ would be NKo) never.
        return sequence[0] switch
        {
            0xC2 or 0xC3 => true,
            0xC4 or 0xC5 or (>= 0xCE and <= 0xD3) or (>= 0xD7 and <= 0xDB)
                => followedByWord || !IsQuoteOrSpace(sequence[1]),
            _ => false,
        };
    }

    private static bool IsWordByte(byte value) => value >= 0x80 || char.IsAsciiLetterOrDigit((char)value);

    // ‹ ‘ ’ “ ” › (Windows-1252), no-break space, « and »: what follows an accented capital in real text.
    private static bool IsQuoteOrSpace(byte value) => value is 0x8B or 0x91 or 0x92 or 0x93 or 0x94 or 0x9B or 0xA0
        or 0xAB or 0xBB;

    private static bool TryDecodeConvincingUtf8(byte[] bytes, out string text)
    {
        if (!TryDecodeUtf8(bytes, out text))
        {
            return false;
        }

        // Well-formed, so every byte from 0xC2 up leads a sequence of the length its value says.
        for (var i = 0; i < bytes.Length; i++)
        {
            var length = SequenceLength(bytes[i]);
            if (length > 0)
            {
                var next = i + length;
                if (!IsConvincing(bytes.AsSpan(i, length), next < bytes.Length && IsWordByte(bytes[next])))
                {
                    return false;
                }

                i += length - 1;
            }
        }

        return true;
    }

    private static bool TryByte(char c, out byte value)
    {
        if (Windows1252.TryEncode(c, out value))
        {
            return true;
        }

        // C1 controls that Windows-1252 defines otherwise still stand for their Latin-1 byte.
        if (c is >= '\u0080' and <= '\u009F')
        {
            value = (byte)c;
            return true;
        }

        return false;
    }

    private static bool TryEncodeLatin1(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > '\u00FF')
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return true;
    }

    private static bool TryEncodeWindows1252(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (!Windows1252.TryEncode(text[i], out bytes[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryDecodeStrictWindows1252(byte[] bytes, out string text)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is 0x81 or 0x8D or 0x8F or 0x90 or 0x9D)
            {
                text = string.Empty;
                return false;
            }

            chars[i] = Windows1252.Decode(bytes[i]);
        }

        text = new string(chars);
        return true;
    }

    private static bool TryDecodeUtf8(byte[] bytes, out string text)
    {
        try
        {
            text = StrictUtf8.Encoding.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
