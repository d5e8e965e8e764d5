using Glide.Models;

namespace GlideFunctions.Activities;

/// <summary>
/// Which model kinds the configured model directory holds, read from its manifest on first use and without opening
/// any graph: the app loads the optional models (CLIP) only where they were exported, and the API refuses up front
/// what the directory cannot run (a rerank without CLIP graphs) instead of failing the generation later.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>The kind of the noised-CLIP model (<c>clip.text</c>, <c>clip.image</c>); reranking needs it.
    /// </summary>
    public const string ClipKind = "clip";

    private readonly Lazy<IReadOnlySet<string>> _kinds;

    /// <param name="directory">The model directory (or its manifest); read once, lazily.</param>
    public ModelCatalog(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = directory;
        _kinds = new(
            () => ModelManifest.Load(directory, verifyHashes: false).Models.Values.Select(m => m.Kind)
                .ToHashSet(StringComparer.Ordinal),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Directory { get; }

    /// <summary>The model kinds in the directory's manifest.</summary>
    /// <exception cref="ModelManifestException">The directory has no valid manifest.</exception>
    public IReadOnlySet<string> Kinds => _kinds.Value;

    /// <summary>Whether reranking can run: the directory has the CLIP model.</summary>
    public bool CanRerank => Kinds.Contains(ClipKind);
}
