using System.Buffers.Binary;
using System.Text;
using Glide.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Imaging;

/// <summary>PNG files for the reader tests: encoded by ImageSharp, or assembled chunk by chunk.</summary>
internal static class PngBytes
{
    public static byte[] Encode<TPixel>(Image<TPixel> image, PngColorType colorType, PngBitDepth bitDepth = PngBitDepth.Bit8)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = colorType, BitDepth = bitDepth });
        return stream.ToArray();
    }

    /// <summary>A small RGB picture with distinct pixels: pixel (x, y) = (x·20, y·30, x + y).</summary>
    public static byte[] Rgb(int width = 7, int height = 5)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 20), (byte)(y * 30), (byte)(x + y));
            }
        }

        return Encode(image, PngColorType.Rgb);
    }

    /// <summary>The chunks of a PNG: (type, data).</summary>
    public static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (var offset = 8; offset < png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            chunks.Add((Encoding.ASCII.GetString(png, offset + 4, 4), png.AsSpan(offset + 8, length).ToArray()));
            offset += 12 + length;
        }

        return chunks;
    }

    /// <summary>Signature, then each chunk with its length and a correct CRC.</summary>
    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> word = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
            stream.Write(word);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            stream.Write(typed);
            BinaryPrimitives.WriteUInt32BigEndian(word, PngStructure.Crc32(typed));
            stream.Write(word);
        }

        return stream.ToArray();
    }

    /// <summary>An IHDR payload: width, height, bit depth, colour type, compression, filter, interlace.</summary>
    public static byte[] Header(uint width, uint height, byte bitDepth = 8, byte colorType = 2)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = bitDepth;
        data[9] = colorType;
        return data;
    }
}
