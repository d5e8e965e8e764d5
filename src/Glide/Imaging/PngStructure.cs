using System.Buffers.Binary;
using System.Globalization;

namespace Glide.Imaging;

/// <summary>
/// Checks a PNG's chunk structure without decoding it (PNG specification §5): the signature, every chunk's length,
/// type and CRC-32, IHDR first, at least one IDAT, and an IEND before the end of the data. A truncated upload fails
/// here with the chunk it ends in; a decoder alone may accept a file cut after its last IDAT, or fill in
/// missing rows. Bytes after IEND are ignored, as decoders do.
/// </summary>
internal static class PngStructure
{
    private const int SignatureLength = 8;
    private const int ChunkOverhead = 12; // length, type, CRC
    private const int HeaderLength = 13;

    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Width and height from IHDR, after the whole structure has been checked.</summary>
    /// <exception cref="InvalidImageException">The data is not a well-formed PNG.</exception>
    public static (long Width, long Height) Check(ReadOnlySpan<byte> data, string field)
    {
        if (data.IsEmpty)
        {
            throw new InvalidImageException(field, "the file is empty");
        }

        if (data.Length < SignatureLength || !data[..SignatureLength].SequenceEqual(Signature))
        {
            throw new InvalidImageException(field, $"not a PNG file{Describe(data)}; upload a PNG");
        }

        var offset = SignatureLength;
        long width = 0, height = 0;
        var sawData = false;
        for (var index = 0; ; index++)
        {
            var left = data.Length - offset;
            if (left < ChunkOverhead)
            {
                throw new InvalidImageException(
                    field,
                    left == 0
                        ? $"the PNG is truncated: it ends after {data.Length:N0} bytes without an IEND chunk"
                        : $"the PNG is truncated: it ends inside a chunk header at byte {offset:N0}");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            var type = data.Slice(offset + 4, 4);
            if (!IsChunkType(type))
            {
                throw new InvalidImageException(field, $"the PNG is corrupt: no valid chunk type at byte {offset + 4:N0}");
            }

            var name = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || length > (ulong)(left - ChunkOverhead))
            {
                throw new InvalidImageException(
                    field,
                    $"the PNG is truncated: its {name} chunk at byte {offset:N0} declares {length:N0} data bytes, " +
                    $"but only {Math.Max(0, left - ChunkOverhead):N0} follow");
            }

            var chunk = data.Slice(offset + 4, 4 + (int)length); // type and data: what the CRC covers
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 8 + (int)length)..]);
            if (Crc32(chunk) != crc)
            {
                throw new InvalidImageException(
                    field, $"the PNG is corrupt: the CRC of its {name} chunk at byte {offset:N0} does not match");
            }

            if (index == 0)
            {
                if (name != "IHDR" || length != HeaderLength)
                {
                    throw new InvalidImageException(field, $"the PNG is corrupt: its first chunk is {name}, not a 13-byte IHDR");
                }

                width = BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]);
                height = BinaryPrimitives.ReadUInt32BigEndian(chunk[8..]);
                if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                {
                    throw new InvalidImageException(
                        field, string.Create(CultureInfo.InvariantCulture, $"the PNG header declares an invalid size {width}×{height}"));
                }
            }
            else if (name == "IHDR")
            {
                throw new InvalidImageException(field, "the PNG is corrupt: it has a second IHDR chunk");
            }

            sawData |= name == "IDAT";
            offset += ChunkOverhead + (int)length;
            if (name == "IEND")
            {
                break;
            }
        }

        if (!sawData)
        {
            throw new InvalidImageException(field, "the PNG is corrupt: it has no image data (IDAT chunk)");
        }

        return (width, height);
    }

    /// <summary>CRC-32 (ISO 3309, as PNG uses it) of <paramref name="bytes"/>.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Names a few common formats, so the message says what the file is instead.</summary>
    private static string Describe(ReadOnlySpan<byte> data) => data switch
    {
        [0xFF, 0xD8, 0xFF, ..] => " (it is a JPEG)",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => " (it is a GIF)",
        [(byte)'B', (byte)'M', ..] => " (it looks like a BMP)",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => " (it is a WebP)",
        _ => string.Empty,
    };
}
