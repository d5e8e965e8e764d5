namespace Glide.Cli;

/// <summary>The PNG paths of an image command's <c>--output</c>: the path itself for one image, else path-k.png.
/// </summary>
internal static class NumberedOutputPaths
{
    /// <summary>One path per image; refuses an output folder that does not exist before any work starts.</summary>
    /// <exception cref="ArgumentException">The path is blank or a folder, or its folder does not exist.</exception>
    public static string[] For(string path, int count)
    {
        if (string.IsNullOrWhiteSpace(path) || Directory.Exists(path))
        {
            throw new ArgumentException($"--output must be a PNG file path, got '{path}'");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the output folder does not exist: {folder}");
        }

        if (count == 1)
        {
            return [path];
        }

        var stem = Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, Path.GetFileNameWithoutExtension(path));
        var extension = Path.HasExtension(path) ? Path.GetExtension(path) : ".png";
        return [.. Enumerable.Range(0, count).Select(k => $"{stem}-{k}{extension}")];
    }
}
