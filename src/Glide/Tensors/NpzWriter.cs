using System.IO.Compression;

namespace Glide.Tensors;

/// <summary>Writes <c>.npz</c> archives that <c>numpy.load</c> reads, stored (like <c>savez</c>) or deflated (like <c>savez_compressed</c>).</summary>
public static class NpzWriter
{
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(stream, arrays, compress);
    }

    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);

        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var level = compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
        foreach (var (key, array) in arrays)
        {
            var entry = zip.CreateEntry(key + ".npy", level);
            using var entryStream = entry.Open();
            NpyWriter.Write(entryStream, array);
        }
    }
}
