using System.Buffers.Binary;
using System.IO.Hashing;
using Glide.Imaging;

namespace GlideFunctions.Tests.Api;

/// <summary>
/// PNG files an inpainting request uploads, good and bad, built in code: sources and masks encoded by the app's own
/// <see cref="PngFile"/>, and from them truncated, corrupt and decompression-bomb files.
/// </summary>
internal static class UploadPngs
{
    /// <summary>A colourful, non-square source (stretched to a square by the intake).</summary>
    public static byte[] Source(int width = 40, int height = 30)
    {
        var rgb = new byte[3 * width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = 3 * ((y * width) + x);
                rgb[p] = (byte)(x * 255 / Math.Max(1, width - 1));
                rgb[p + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                rgb[p + 2] = (byte)((x + y) % 2 == 0 ? 40 : 200);
            }
        }

        return PngFile.Encode(rgb, width, height);
    }

    /// <summary>A mask whose top <paramref name="whiteRows"/> of <paramref name="size"/> rows are white (kept) and the
    /// rest black (generated).</summary>
    public static byte[] TopMask(int whiteRows = 8, int size = 16) =>
        Mask(size, size, (x, y) => y < whiteRows ? (byte)255 : (byte)0);

    /// <summary>A mask of one grey level per pixel, chosen by <paramref name="level"/>(x, y).</summary>
    public static byte[] Mask(int width, int height, Func<int, int, byte> level)
    {
        var rgb = new byte[3 * width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                rgb.AsSpan(3 * ((y * width) + x), 3).Fill(level(x, y));
            }
        }

        return PngFile.Encode(rgb, width, height);
    }

    /// <summary>An all-white mask: it keeps everything, so there is nothing to generate.</summary>
    public static byte[] WhiteMask() => Mask(8, 8, (_, _) => 255);

    /// <summary>The first half of a good file.</summary>
    public static byte[] Truncated() => Source()[..(Source().Length / 2)];

    /// <summary>A good file with one byte of its image data flipped (its CRC no longer matches).</summary>
    public static byte[] Corrupt()
    {
        var png = Source();
        png[png.Length / 2] ^= 0x5A;
        return png;
    }

    /// <summary>
    /// A well-formed file of a few hundred bytes whose header declares 100,000 × 100,000 pixels (30 GB decoded):
    /// a good file's IHDR rewritten, with its CRC recomputed.
    /// </summary>
    public static byte[] Bomb()
    {
        var png = Source(4, 4);
        const int ihdrType = 12; // after the 8-byte signature and the 4-byte length
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(ihdrType + 4), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(ihdrType + 8), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(ihdrType + 17), Crc32.HashToUInt32(png.AsSpan(ihdrType, 17)));
        return png;
    }

    /// <summary>The start of a JPEG file: not a PNG.</summary>
    public static byte[] Jpeg() => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];

    public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);
}
