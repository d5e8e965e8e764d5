using System.IO.Compression;

namespace Glide.Tensors;

/// <summary>Reads <c>.npz</c> archives as <c>numpy.savez</c> / <c>savez_compressed</c> write them: a zip of <c>key.npy</c> entries.</summary>
public static class NpzReader
{
    private const string EntrySuffix = ".npy";

    public static NpzArchive Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpzArchive Read(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new NpyFormatException(fileName, $"not a readable .npz (zip) archive: {e.Message}", e);
        }

        using (zip)
        {
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(EntrySuffix, StringComparison.Ordinal))
                {
                    throw new NpyFormatException(fileName, $"entry '{entry.FullName}' is not a .npy file");
                }

                var key = entry.FullName[..^EntrySuffix.Length];
                if (arrays.ContainsKey(key))
                {
                    throw new NpyFormatException(fileName, $"entry '{entry.FullName}' appears twice");
                }

                var entryName = $"{fileName}:{entry.FullName}";
                try
                {
                    using var entryStream = entry.Open();
                    arrays.Add(key, NpyReader.Read(entryStream, entryName));
                }
                catch (InvalidDataException e)
                {
                    // A corrupt deflate stream or a CRC mismatch surfaces here, not at open.
                    throw new NpyFormatException(entryName, $"cannot decompress: {e.Message}", e);
                }
            }

            return new NpzArchive(fileName, arrays);
        }
    }
}
