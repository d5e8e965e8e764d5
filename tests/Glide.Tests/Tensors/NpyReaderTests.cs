using System.Buffers.Binary;
using Glide.Tensors;

namespace Glide.Tests.Tensors;

public sealed class NpyReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_float32_in_c_order()
    {
        var path = Write("f4.npy", NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NpyBytes.Floats(1, 2, 3, 4, 5, -6.5f)));

        var array = NpyReader.Read(path);

        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, -6.5f], array.AsSingle());
    }

    [Fact]
    public void Widens_float16_to_float32()
    {
        var data = new byte[6];
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(0), (Half)0.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-2.25f));
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(4), Half.MaxValue);
        var path = Write("f2.npy", NpyBytes.Build("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", data));

        var array = NpyReader.Read(path);

        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal([0.5f, -2.25f, 65504f], array.AsSingle());
    }

    [Fact]
    public void Reads_int64()
    {
        var path = Write("i8.npy", NpyBytes.Build(
            "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", NpyBytes.Longs(999, -1L << 40)));

        var array = NpyReader.Read(path);

        Assert.Equal(NpyDType.Int64, array.DType);
        Assert.Equal([999L, -1L << 40], array.AsInt64());
    }

    [Fact]
    public void Reads_bool()
    {
        var path = Write("b1.npy", NpyBytes.Build(
            "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", [1, 0, 0, 1]));

        var array = NpyReader.Read(path);

        Assert.Equal(NpyDType.Bool, array.DType);
        Assert.Equal([true, false, false, true], array.AsBoolean());
    }

    [Fact]
    public void Reads_float64()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(0), Math.PI);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -1e-300);
        var path = Write("f8.npy", NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data));

        Assert.Equal([Math.PI, -1e-300], NpyReader.Read(path).AsDouble());
    }

    [Fact]
    public void Reads_format_version_2()
    {
        var path = Write("v2.npy", NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", NpyBytes.Floats(7), major: 2));

        Assert.Equal([7f], NpyReader.Read(path).AsSingle());
    }

    [Fact]
    public void Reads_a_scalar_and_an_empty_array()
    {
        var scalar = Write("scalar.npy", NpyBytes.Build(
            "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", NpyBytes.Longs(42)));
        var empty = Write("empty.npy", NpyBytes.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", []));

        Assert.Empty(NpyReader.Read(scalar).Shape);
        Assert.Equal([42L], NpyReader.Read(scalar).AsInt64());
        Assert.Equal([0, 3], NpyReader.Read(empty).Shape);
        Assert.Equal(0, NpyReader.Read(empty).Length);
    }

    [Fact]
    public void Rejects_fortran_order_naming_the_file()
    {
        var path = Write("fortran.npy", NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", NpyBytes.Floats(1, 2, 3, 4)));

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("fortran_order is True", error.Message, StringComparison.Ordinal);
        Assert.Contains("C-order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_truncated_data_with_the_byte_counts()
    {
        var path = Write("short.npy", NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NpyBytes.Floats(1, 2, 3, 4, 5)));

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs 24 data bytes, found 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_truncated_header()
    {
        var bytes = NpyBytes.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", NpyBytes.Floats(1));
        var path = Write("header.npy", bytes[..30]);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains("truncated while reading the header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_file_without_the_magic_string()
    {
        var path = Write("text.npy", "not numpy at all"u8.ToArray());

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains("not a .npy file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(">f4")]
    [InlineData("<i4")]
    [InlineData("<U8")]
    public void Rejects_unsupported_dtypes_naming_them(string descr)
    {
        var path = Write("dtype.npy", NpyBytes.Build(
            $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}", new byte[32]));

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains($"descr '{descr}' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_unknown_format_versions()
    {
        var bytes = NpyBytes.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", NpyBytes.Floats(1));
        bytes[6] = 9;
        var path = Write("v9.npy", bytes);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains("format version 9.0 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_from_a_stream_that_returns_short_reads()
    {
        var bytes = NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", NpyBytes.Floats(1, 2, 3));
        using var stream = new TrickleStream(bytes);

        Assert.Equal([1f, 2f, 3f], NpyReader.Read(stream, "trickle").AsSingle());
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Hands out one byte per read, as a decompressing stream may.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    }
}
