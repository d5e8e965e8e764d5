using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Glide.Tensors;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0), C order only.
/// </summary>
/// <remarks>
/// Supported element types: <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>|b1</c>, and <c>&lt;f2</c> widened to float32.
/// Format reference: the <c>numpy.lib.format</c> module documentation (NEP 1).
/// </remarks>
public static class NpyReader
{
    // "\x93NUMPY" as raw bytes: a C# "\x93" literal is a UTF-16 character that UTF-8 would encode as two bytes.
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads one array from <paramref name="stream"/>, which need not be seekable.</summary>
    /// <param name="stream">Positioned at the magic string.</param>
    /// <param name="fileName">Named in every error message.</param>
    public static NpyArray Read(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);

        var header = ReadHeader(stream, fileName);
        if (header.FortranOrder)
        {
            throw new NpyFormatException(
                fileName, "fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)");
        }

        var count = NpyArray.ElementCount(header.Shape);
        if (count < 0)
        {
            throw new NpyFormatException(fileName, $"shape {NpyArray.FormatShape(header.Shape)} is too large");
        }

        var shape = header.Shape;
        return header.Descr switch
        {
            "<f4" => NpyArray.FromSingle(ReadData<float>(stream, count, header, fileName), shape),
            "<f8" => NpyArray.FromDouble(ReadData<double>(stream, count, header, fileName), shape),
            "<i8" => NpyArray.FromInt64(ReadData<long>(stream, count, header, fileName), shape),
            "|b1" => NpyArray.FromBoolean(ReadBooleans(stream, count, header, fileName), shape),
            "<f2" => NpyArray.FromSingle(Widen(ReadData<Half>(stream, count, header, fileName)), shape),
            _ => throw new NpyFormatException(
                fileName,
                $"descr '{header.Descr}' is not supported (expected one of '<f4', '<f2', '<f8', '<i8', '|b1')"),
        };
    }

    private static NpyHeader ReadHeader(Stream stream, string fileName)
    {
        Span<byte> prefix = stackalloc byte[12];
        ReadExactly(stream, prefix[..8], fileName, "the magic string and version");
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException(fileName, "not a .npy file (the magic string \\x93NUMPY is missing)");
        }

        int major = prefix[6];
        int minor = prefix[7];
        int headerLength;
        Encoding encoding;
        switch (major)
        {
            case 1:
                ReadExactly(stream, prefix[8..10], fileName, "the header length");
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
                encoding = Encoding.Latin1;
                break;
            case 2 or 3:
                ReadExactly(stream, prefix[8..12], fileName, "the header length");
                var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..12]);
                if (length > 1 << 20)
                {
                    throw new NpyFormatException(fileName, $"header length {length} is implausibly large");
                }

                headerLength = (int)length;
                encoding = major == 2 ? Encoding.Latin1 : Encoding.UTF8;
                break;
            default:
                throw new NpyFormatException(
                    fileName, $"format version {major}.{minor} is not supported (expected 1.0, 2.0 or 3.0)");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, fileName, "the header");
        var text = encoding.GetString(headerBytes);
        if (!text.EndsWith('\n'))
        {
            throw new NpyFormatException(fileName, "the header does not end with a newline");
        }

        return NpyHeader.Parse(text, fileName);
    }

    private static T[] ReadData<T>(Stream stream, long count, NpyHeader header, string fileName)
        where T : unmanaged
    {
        var data = new T[count];
        var bytes = MemoryMarshal.AsBytes(data.AsSpan());
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
        {
            throw new NpyFormatException(
                fileName,
                $"truncated: shape {NpyArray.FormatShape(header.Shape)} of '{header.Descr}' needs {bytes.Length} data bytes, found {read}");
        }

        if (!BitConverter.IsLittleEndian)
        {
            ReverseEndianness(bytes, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        }

        return data;
    }

    private static bool[] ReadBooleans(Stream stream, long count, NpyHeader header, string fileName)
    {
        var raw = ReadData<byte>(stream, count, header, fileName);
        var data = new bool[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            // numpy writes 0 or 1; anything non-zero is True there too.
            data[i] = raw[i] != 0;
        }

        return data;
    }

    private static float[] Widen(Half[] halves)
    {
        var data = new float[halves.Length];
        for (var i = 0; i < halves.Length; i++)
        {
            data[i] = (float)halves[i];
        }

        return data;
    }

    private static void ReverseEndianness(Span<byte> bytes, int size)
    {
        for (var offset = 0; offset + size <= bytes.Length; offset += size)
        {
            bytes.Slice(offset, size).Reverse();
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string fileName, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new NpyFormatException(fileName, $"truncated while reading {what}");
        }
    }
}
