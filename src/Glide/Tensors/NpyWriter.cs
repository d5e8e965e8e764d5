using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Glide.Tensors;

/// <summary>Writes <c>.npy</c> files that <c>numpy.load</c> reads: format 1.0 (2.0 for huge headers), little-endian, C order.</summary>
public static class NpyWriter
{
    // numpy pads the header so the data starts on a 64-byte boundary; readers that memory-map rely on it.
    private const int Alignment = 64;

    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(stream, array);
    }

    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);

        var descr = array.DType switch
        {
            NpyDType.Float32 => "<f4",
            NpyDType.Float64 => "<f8",
            NpyDType.Int64 => "<i8",
            NpyDType.Bool => "|b1",
            _ => throw new ArgumentOutOfRangeException(nameof(array), array.DType, "unknown dtype"),
        };

        WriteHeader(stream, new NpyHeader(descr, FortranOrder: false, [.. array.Shape]));
        switch (array.DType)
        {
            case NpyDType.Float32:
                WriteData<float>(stream, array.AsSingle());
                break;
            case NpyDType.Float64:
                WriteData<double>(stream, array.AsDouble());
                break;
            case NpyDType.Int64:
                WriteData<long>(stream, array.AsInt64());
                break;
            case NpyDType.Bool:
                var bools = array.AsBoolean();
                var bytes = new byte[bools.Length];
                for (var i = 0; i < bools.Length; i++)
                {
                    bytes[i] = bools[i] ? (byte)1 : (byte)0;
                }

                stream.Write(bytes);
                break;
        }
    }

    private static void WriteHeader(Stream stream, NpyHeader header)
    {
        var text = header.Format();
        var version = text.Length + 11 <= ushort.MaxValue ? 1 : 2;
        var prefixLength = version == 1 ? 10 : 12;
        var padded = text.Length + 1;
        padded += (Alignment - ((prefixLength + padded) % Alignment)) % Alignment;

        var headerBytes = Encoding.Latin1.GetBytes(text.PadRight(padded - 1) + "\n");
        Span<byte> prefix = stackalloc byte[prefixLength];
        NpyReader.Magic.CopyTo(prefix);
        prefix[6] = (byte)version;
        prefix[7] = 0;
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], (ushort)headerBytes.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], (uint)headerBytes.Length);
        }

        stream.Write(prefix);
        stream.Write(headerBytes);
    }

    private static void WriteData<T>(Stream stream, T[] data)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }

        var bytes = MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
        var size = bytes.Length / Math.Max(1, data.Length);
        for (var offset = 0; offset + size <= bytes.Length; offset += size)
        {
            bytes.AsSpan(offset, size).Reverse();
        }

        stream.Write(bytes);
    }
}
