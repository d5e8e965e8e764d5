using System.IO.Compression;

namespace Glide.Tokenization;

/// <summary>Opens the gzipped data files under Tokenization/Data that the assembly embeds.</summary>
internal static class EmbeddedData
{
    private const string Prefix = "Glide.Tokenization.Data.";

    /// <summary>The UTF-8 text of <c>Data/<paramref name="fileName"/></c>, decompressed.</summary>
    public static string ReadGzippedText(string fileName)
    {
        using var compressed = typeof(EmbeddedData).Assembly.GetManifestResourceStream(Prefix + fileName)
            ?? throw new InvalidOperationException(
                $"embedded resource {Prefix}{fileName} is missing: Glide.csproj must embed Tokenization/Data/*.gz");
        using var stream = new GZipStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(stream, StrictUtf8.Encoding);
        return reader.ReadToEnd();
    }
}
