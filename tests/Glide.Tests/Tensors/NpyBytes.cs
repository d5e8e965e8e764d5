using System.Buffers.Binary;
using System.Text;

namespace Glide.Tests.Tensors;

/// <summary>Builds <c>.npy</c> bytes by hand, exactly as numpy.lib.format lays them out, independent of NpyWriter.</summary>
internal static class NpyBytes
{
    public static byte[] Build(string header, byte[] data, int major = 1)
    {
        var prefixLength = major == 1 ? 10 : 12;
        var text = header + "\n";
        while ((prefixLength + text.Length) % 64 != 0)
        {
            text = text.Insert(text.Length - 1, " ");
        }

        var headerBytes = Encoding.Latin1.GetBytes(text);
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1)
        {
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
            stream.Write(length);
        }
        else
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
            stream.Write(length);
        }

        stream.Write(headerBytes);
        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Longs(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }
}
