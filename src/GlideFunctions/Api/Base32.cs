namespace GlideFunctions.Api;

/// <summary>
/// RFC 4648 base32 in lower case without padding: ids that are safe in URLs, blob names and table keys, and
/// unambiguous when read aloud (no 0/O or 1/l pairs).
/// </summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var text = new char[((data.Length * 8) + 4) / 5];
        var buffer = 0;
        var bits = 0;
        var next = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text[next++] = Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            text[next] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(text);
    }
}
