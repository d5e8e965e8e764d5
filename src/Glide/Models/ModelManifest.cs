using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// The <c>manifest.json</c> of an exported model directory (src/export/FORMAT.md): which graphs are there, their
/// signatures, hashes and reference data.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "manifest.json";
    public const string ExpectedFormat = "glide-onnx-manifest";
    public const int SupportedFormatVersion = 1;

    public required string Format { get; init; }

    public required int FormatVersion { get; init; }

    public required string ExporterVersion { get; init; }

    public required int Opset { get; init; }

    /// <summary><c>tiny</c>, <c>full</c> or <c>checkpoint</c>.</summary>
    public required string Config { get; init; }

    public required IReadOnlyDictionary<string, ModelEntry> Models { get; init; }

    public required IReadOnlyList<GraphSpec> Graphs { get; init; }

    /// <summary>How the model is sampled when a request does not say (optional in the file).</summary>
    public SamplingDefaults Sampling { get; init; } = new();

    /// <summary>Full path of the manifest file this was read from.</summary>
    [JsonIgnore]
    public string ManifestPath { get; init; } = string.Empty;

    /// <summary>The model directory: every relative path in the manifest is resolved against it.</summary>
    [JsonIgnore]
    public string Directory => Path.GetDirectoryName(ManifestPath) ?? string.Empty;

    /// <summary>
    /// Reads and validates a manifest: format and version, structure, every referenced file present and, unless
    /// <paramref name="verifyHashes"/> is false, every graph's SHA-256.
    /// </summary>
    /// <param name="path">The model directory, or the manifest file itself.</param>
    /// <param name="verifyHashes">False skips hashing the graphs (seconds for the full-size models).</param>
    /// <exception cref="ModelManifestException">Anything that does not match.</exception>
    public static ModelManifest Load(string path, bool verifyHashes = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        var manifestPath = Path.GetFullPath(System.IO.Directory.Exists(path) ? Path.Combine(path, FileName) : path);
        var manifest = ModelManifestReader.Read(manifestPath);
        ModelManifestValidator.Validate(manifest, verifyHashes);
        return manifest;
    }

    public GraphSpec GetGraph(string name) =>
        Graphs.FirstOrDefault(g => g.Name == name)
        ?? throw new ModelManifestException(
            ManifestPath, name, "name", $"no such graph (the manifest has {string.Join(", ", Graphs.Select(g => g.Name))})");

    /// <summary>Full path of a file named in the manifest.</summary>
    public string ResolvePath(string relativePath) => Path.GetFullPath(Path.Combine(Directory, relativePath));

    /// <summary>
    /// Checks that a session opened on <paramref name="graph"/>'s file has exactly the declared input and output
    /// names, element types and shapes (<c>"batch"</c> must be a dynamic dimension).
    /// </summary>
    /// <exception cref="ModelManifestException">The first mismatch, expected vs actual.</exception>
    public void ValidateSession(GraphSpec graph, InferenceSession session)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(session);
        SessionSignatureValidator.Validate(ManifestPath, graph, "inputs", graph.Inputs, session.InputMetadata);
        SessionSignatureValidator.Validate(ManifestPath, graph, "outputs", graph.Outputs, session.OutputMetadata);
    }
}
