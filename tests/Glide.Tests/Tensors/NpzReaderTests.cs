using System.IO.Compression;
using Glide.Tensors;

namespace Glide.Tests.Tensors;

public sealed class NpzReaderTests : IDisposable
{
    // Compression method field of a zip local file header (offset 8): 0 = stored, 8 = deflated.
    private const int CompressionMethodOffset = 8;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(CompressionLevel.NoCompression, 0)]
    [InlineData(CompressionLevel.Optimal, 8)]
    public void Reads_stored_and_deflated_entries(CompressionLevel level, int method)
    {
        var path = _temp.Combine("arrays.npz");
        WriteZip(path, level, ("in.tokens.npy", NpyBytes.Build(
            "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", NpyBytes.Longs(5, 6))),
            ("out.x.npy", NpyBytes.Build(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", NpyBytes.Floats(0.5f, 1.5f))));
        Assert.Equal(method, File.ReadAllBytes(path)[CompressionMethodOffset]);

        var npz = NpzReader.Read(path);

        Assert.Equal(["in.tokens", "out.x"], npz.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([5L, 6L], npz["in.tokens"].AsInt64());
        Assert.Equal([0.5f, 1.5f], npz["out.x"].AsSingle());
        Assert.Equal([1, 2], npz["out.x"].Shape);
    }

    [Fact]
    public void A_missing_key_names_the_file_and_the_keys_there_are()
    {
        var path = _temp.Combine("one.npz");
        NpzWriter.Write(path, [new("a", NpyArray.FromSingle([1], 1)), new("b", NpyArray.FromSingle([2], 1))]);

        var npz = NpzReader.Read(path);
        var error = Assert.Throws<KeyNotFoundException>(() => npz["c"]);

        Assert.Equal($"{path}: no array 'c' (it has a, b)", error.Message);
        Assert.False(npz.TryGet("c", out _));
    }

    [Fact]
    public void A_bad_entry_is_named_by_archive_and_entry()
    {
        var path = _temp.Combine("bad.npz");
        WriteZip(path, CompressionLevel.Optimal, ("x.npy", NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", NpyBytes.Floats(1))));

        var error = Assert.Throws<NpyFormatException>(() => NpzReader.Read(path));

        Assert.Equal($"{path}:x.npy", error.FileName);
        Assert.Contains("fortran_order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_entries_that_are_not_npy()
    {
        var path = _temp.Combine("other.npz");
        WriteZip(path, CompressionLevel.Optimal, ("readme.txt", "hello"u8.ToArray()));

        var error = Assert.Throws<NpyFormatException>(() => NpzReader.Read(path));

        Assert.Contains("entry 'readme.txt' is not a .npy file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_a_zip()
    {
        var path = _temp.Combine("plain.npz");
        File.WriteAllBytes(path, NpyBytes.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", NpyBytes.Floats(1)));

        var error = Assert.Throws<NpyFormatException>(() => NpzReader.Read(path));

        Assert.Contains("not a readable .npz (zip) archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_trips_through_the_writer_compressed()
    {
        var path = _temp.Combine("written.npz");
        NpzWriter.Write(path, [new("m", NpyArray.FromBoolean([true, false], 2))], compress: true);

        Assert.Equal([true, false], NpzReader.Read(path)["m"].AsBoolean());
    }

    private static void WriteZip(string path, CompressionLevel level, params (string Name, byte[] Bytes)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name, level).Open();
            stream.Write(bytes);
        }
    }
}
