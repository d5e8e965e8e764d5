namespace Glide.Testing;

/// <summary>Finds the repository root (the folder holding <c>GlideFunctions.sln</c>) from the test's output folder.</summary>
internal static class RepoRoot
{
    private const string Marker = "GlideFunctions.sln";

    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no {Marker} above {AppContext.BaseDirectory}: run the tests from a clone of the repository");
    }
}
