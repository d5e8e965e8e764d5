using Glide.Models;
using Glide.Testing;

namespace Glide.Tests;

/// <summary>
/// The tiny random-weight model set the exporter writes to <c>tests/fixtures/tiny</c> (src/export/FORMAT.md).
/// Tests built on it fail, never skip, when it is missing: a silently skipped numerical check is worse than none.
/// </summary>
internal static class TinyFixture
{
    public static string Directory => RepoRoot.Combine("tests", "fixtures", "tiny");

    public static string ManifestPath => Path.Combine(Directory, ModelManifest.FileName);

    public static ModelManifest Load()
    {
        if (!File.Exists(ManifestPath))
        {
            throw new InvalidOperationException(
                $"the tiny model fixture is missing: {ManifestPath} does not exist. " +
                "Generate it with the exporter under src/export (see src/export/FORMAT.md).");
        }

        return ModelManifest.Load(Directory);
    }

    /// <summary>One row per graph in the fixture manifest, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> GraphNames() => [.. Load().Graphs.Select(g => g.Name)];
}
