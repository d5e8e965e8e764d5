using System.Text.Json;
using System.Text.RegularExpressions;

namespace Glide.Models;

/// <summary>Turns <c>manifest.json</c> into a <see cref="ModelManifest"/>, naming the graph and field of any JSON error.</summary>
internal static partial class ModelManifestReader
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static ModelManifest Read(string manifestPath)
    {
        if (!File.Exists(manifestPath))
        {
            throw new ModelManifestException(manifestPath, null, null, "not found");
        }

        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(manifestPath);
            document = JsonDocument.Parse(stream, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new ModelManifestException(
                manifestPath, null, null, $"not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelManifestException(manifestPath, null, null, $"expected a JSON object, got {root.ValueKind}");
            }

            // Checked before the typed read: a newer format may not fit the types of this one.
            CheckFormat(manifestPath, root);

            ModelManifest manifest;
            try
            {
                manifest = root.Deserialize<ModelManifest>(SerializerOptions)
                    ?? throw new ModelManifestException(manifestPath, null, null, "is null");
            }
            catch (JsonException e)
            {
                throw Describe(manifestPath, root, e);
            }

            return manifest with { ManifestPath = manifestPath };
        }
    }

    private static void CheckFormat(string manifestPath, JsonElement root)
    {
        var format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (format != ModelManifest.ExpectedFormat)
        {
            throw new ModelManifestException(
                manifestPath, null, "format",
                $"expected \"{ModelManifest.ExpectedFormat}\", got {(format is null ? "nothing" : $"\"{format}\"")}");
        }

        if (!root.TryGetProperty("format_version", out var v)
            || v.ValueKind != JsonValueKind.Number
            || !v.TryGetInt32(out var version)
            || version != ModelManifest.SupportedFormatVersion)
        {
            var actual = root.TryGetProperty("format_version", out var raw) ? raw.GetRawText() : "nothing";
            throw new ModelManifestException(
                manifestPath, null, "format_version",
                $"expected {ModelManifest.SupportedFormatVersion} (the version this runtime reads), got {actual}");
        }
    }

    /// <summary>Maps a serializer error's JSON path to the graph it falls in and the field inside that graph.</summary>
    private static ModelManifestException Describe(string manifestPath, JsonElement root, JsonException e)
    {
        var path = e.Path ?? "$";
        var detail = StripLocation(e.Message);

        // The serializer reports a missing required property at the enclosing object; name the property instead.
        var missing = MissingProperty().Match(detail);
        if (missing.Success)
        {
            path = $"{path}.{missing.Groups["name"].Value}";
            detail = "is required but missing";
        }

        var match = GraphPath().Match(path);
        if (!match.Success)
        {
            return new ModelManifestException(manifestPath, null, path.TrimStart('$', '.'), detail, e);
        }

        var index = int.Parse(match.Groups["index"].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
        var graph = $"#{index}";
        if (root.TryGetProperty("graphs", out var graphs)
            && graphs.ValueKind == JsonValueKind.Array
            && index < graphs.GetArrayLength()
            && graphs[index].ValueKind == JsonValueKind.Object
            && graphs[index].TryGetProperty("name", out var name)
            && name.ValueKind == JsonValueKind.String)
        {
            graph = name.GetString()!;
        }

        var field = match.Groups["field"].Value.TrimStart('.');
        return new ModelManifestException(manifestPath, graph, field.Length == 0 ? null : field, detail, e);
    }

    // The serializer appends " Path: $.x | LineNumber: … | BytePositionInLine: …" to its own messages; the field is
    // named separately, so drop it.
    private static string StripLocation(string message)
    {
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    [GeneratedRegex(@"^\$\.graphs\[(?<index>\d+)\](?<field>.*)$")]
    private static partial Regex GraphPath();

    [GeneratedRegex(@"missing required properties including: '(?<name>[^']+)'")]
    private static partial Regex MissingProperty();
}
