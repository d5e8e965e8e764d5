using System.Security.Cryptography;
using Glide.Diffusion;

namespace Glide.Models;

/// <summary>The checks on a parsed manifest that JSON types cannot express: cross-references, files, hashes.</summary>
internal static class ModelManifestValidator
{
    private static readonly string[] Configs = ["tiny", "shapes", "full", "checkpoint"];

    public static void Validate(ModelManifest manifest, bool verifyHashes)
    {
        var path = manifest.ManifestPath;
        if (manifest.Opset < 1)
        {
            throw new ModelManifestException(path, null, "opset", $"expected a positive integer, got {manifest.Opset}");
        }

        if (!Configs.Contains(manifest.Config))
        {
            throw new ModelManifestException(
                path, null, "config", $"expected one of {Quote(Configs)}, got \"{manifest.Config}\"");
        }

        foreach (var (name, model) in manifest.Models)
        {
            ValidateModel(path, name, model);
        }

        if (manifest.Sampling.UpsampleSampler is { } sampler && !SamplerKinds.TryParse(sampler, out _))
        {
            throw new ModelManifestException(
                path, null, "sampling.upsample_sampler",
                $"expected one of {Quote(SamplerKinds.Names)}, got \"{sampler}\"");
        }

        if (manifest.Graphs.Count == 0)
        {
            throw new ModelManifestException(path, null, "graphs", "expected at least one graph, got none");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in manifest.Graphs)
        {
            if (!seen.Add(graph.Name))
            {
                throw new ModelManifestException(path, graph.Name, "name", "appears more than once in 'graphs'");
            }

            ValidateGraph(manifest, graph, verifyHashes);
        }
    }

    private static void ValidateModel(string path, string name, ModelEntry model)
    {
        var field = $"models.{name}";
        if (!ModelEntry.Kinds.Contains(model.Kind))
        {
            throw new ModelManifestException(
                path, null, $"{field}.kind", $"expected one of {Quote(ModelEntry.Kinds)}, got \"{model.Kind}\"");
        }

        if (model.ParamCount < 0)
        {
            throw new ModelManifestException(
                path, null, $"{field}.param_count", $"expected a non-negative count, got {model.ParamCount}");
        }

        var source = model.Source;
        switch (source.Kind)
        {
            case ModelSource.RandomKind when source.Seed is null:
                throw new ModelManifestException(path, null, $"{field}.source.seed", "required for random weights");
            case ModelSource.CheckpointKind when source.Files is not { Count: > 0 }
                                              || source.Files.Values.Any(f => string.IsNullOrEmpty(f.File) || !IsSha256(f.Sha256)):
                throw new ModelManifestException(
                    path, null, $"{field}.source.files",
                    "a checkpoint source needs 'files': each part's 'file' and a lowercase hex 'sha256'");
            case ModelSource.RandomKind or ModelSource.CheckpointKind:
                break;
            default:
                throw new ModelManifestException(
                    path, null, $"{field}.source.kind",
                    $"expected \"{ModelSource.RandomKind}\" or \"{ModelSource.CheckpointKind}\", got \"{source.Kind}\"");
        }
    }

    private static void ValidateGraph(ModelManifest manifest, GraphSpec graph, bool verifyHashes)
    {
        var path = manifest.ManifestPath;
        if (!manifest.Models.ContainsKey(graph.Model))
        {
            throw new ModelManifestException(
                path, graph.Name, "model",
                $"expected one of the models ({Quote(manifest.Models.Keys)}), got \"{graph.Model}\"");
        }

        if (!graph.Name.StartsWith(graph.Model + ".", StringComparison.Ordinal) || graph.Name.Length <= graph.Model.Length + 1)
        {
            throw new ModelManifestException(
                path, graph.Name, "name", $"expected \"{graph.Model}.<part>\", got \"{graph.Name}\"");
        }

        ValidateTensors(path, graph, "inputs", graph.Inputs);
        ValidateTensors(path, graph, "outputs", graph.Outputs);

        if (!IsSha256(graph.Sha256))
        {
            throw new ModelManifestException(
                path, graph.Name, "sha256", $"expected 64 lowercase hex digits, got \"{graph.Sha256}\"");
        }

        var file = RequireFile(manifest, graph, "file", graph.File);
        if (verifyHashes)
        {
            var actual = HashFile(file);
            if (actual != graph.Sha256)
            {
                throw new ModelManifestException(
                    path, graph.Name, "sha256", $"expected {graph.Sha256}, but {graph.File} hashes to {actual}");
            }
        }

        RequireFile(manifest, graph, "verify.file", graph.Verify.File);
        if (graph.Verify.Batch < 1)
        {
            throw new ModelManifestException(
                path, graph.Name, "verify.batch", $"expected a positive batch size, got {graph.Verify.Batch}");
        }
    }

    private static void ValidateTensors(string path, GraphSpec graph, string field, IReadOnlyList<TensorSpec> tensors)
    {
        if (tensors.Count == 0)
        {
            throw new ModelManifestException(path, graph.Name, field, "expected at least one tensor, got none");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            if (string.IsNullOrEmpty(tensors[i].Name) || !names.Add(tensors[i].Name))
            {
                throw new ModelManifestException(
                    path, graph.Name, $"{field}[{i}].name", $"expected a unique non-empty name, got \"{tensors[i].Name}\"");
            }
        }
    }

    /// <summary>Resolves a manifest path, which must stay inside the model directory, and checks the file is there.</summary>
    private static string RequireFile(ModelManifest manifest, GraphSpec graph, string field, string relativePath)
    {
        var directory = Path.TrimEndingDirectorySeparator(manifest.Directory) + Path.DirectorySeparatorChar;
        var full = string.IsNullOrEmpty(relativePath) || Path.IsPathRooted(relativePath)
            ? null
            : manifest.ResolvePath(relativePath);
        if (full is null || !full.StartsWith(directory, StringComparison.Ordinal))
        {
            throw new ModelManifestException(
                manifest.ManifestPath, graph.Name, field,
                $"expected a relative path inside the model directory, got \"{relativePath}\"");
        }

        if (!File.Exists(full))
        {
            throw new ModelManifestException(
                manifest.ManifestPath, graph.Name, field, $"file \"{relativePath}\" does not exist ({full})");
        }

        return full;
    }

    private static string HashFile(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static bool IsSha256(string? value) =>
        value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
