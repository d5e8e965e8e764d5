namespace Glide.Models;

/// <summary>
/// A model directory that does not match its manifest, or a manifest that breaks FORMAT.md. The message names the
/// manifest file, the graph (when there is one) and the field, with what was expected and what was found.
/// </summary>
public sealed class ModelManifestException : Exception
{
    public ModelManifestException(string manifestPath, string? graph, string? field, string detail)
        : this(manifestPath, graph, field, detail, null)
    {
    }

    public ModelManifestException(
        string manifestPath, string? graph, string? field, string detail, Exception? innerException)
        : base(Compose(manifestPath, graph, field, detail), innerException)
    {
        ManifestPath = manifestPath;
        Graph = graph;
        Field = field;
        Detail = detail;
    }

    public string ManifestPath { get; }

    /// <summary>The graph the error is about, or null for a manifest-level error.</summary>
    public string? Graph { get; }

    /// <summary>The manifest field (relative to the graph when there is one), or null when no field is to blame.</summary>
    public string? Field { get; }

    public string Detail { get; }

    private static string Compose(string manifestPath, string? graph, string? field, string detail)
    {
        var graphPart = graph is null ? string.Empty : $"graph '{graph}': ";
        var fieldPart = field is null ? string.Empty : $"field '{field}': ";
        return $"{manifestPath}: {graphPart}{fieldPart}{detail}";
    }
}
