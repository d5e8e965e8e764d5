using System.Text.Json;

namespace Glide.Evaluation;

/// <summary>
/// Reads and validates an evaluation captions file: JSON Lines, one object per line,
/// <c>{"id", "caption", "background": name | null, "objects": [{"shape", "colour", "region": name | null,
/// "size": name | null}]}</c> (src/export/glide_shapes/world.py <c>eval_jsonl</c>). Every problem is reported with
/// its line before any image is generated; blank lines are skipped and unknown fields ignored.
/// </summary>
public static class EvalCaptionReader
{
    /// <summary>More objects than the world ever draws in one scene.</summary>
    public const int MaxObjects = 2;

    /// <exception cref="EvalCaptionsException">The file is empty or a line is not a valid caption.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<EvalCaption> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadLines(path), path);
    }

    /// <summary>Parses lines already read; <paramref name="source"/> names them in errors.</summary>
    public static IReadOnlyList<EvalCaption> Parse(IEnumerable<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(source);
        var captions = new List<EvalCaption>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var caption = ParseLine(line, source, number);
            if (ids.TryGetValue(caption.Id, out var first))
            {
                throw new EvalCaptionsException(source, number, $"id \"{caption.Id}\" is already used on line {first}");
            }

            ids.Add(caption.Id, number);
            captions.Add(caption);
        }

        if (captions.Count == 0)
        {
            throw new EvalCaptionsException(source, "no captions: the file is empty");
        }

        return captions;
    }

    private static EvalCaption ParseLine(string line, string source, int number)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new EvalCaptionsException(source, number, $"not a JSON object: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new EvalCaptionsException(source, number, $"expected a JSON object, got {Kind(root)}");
            }

            var id = RequiredString(root, "id", source, number);
            if (id.Length == 0)
            {
                throw new EvalCaptionsException(source, number, "\"id\" is empty");
            }

            var text = RequiredString(root, "caption", source, number);
            PaletteColour? background = null;
            if (OptionalString(root, "background", source, number) is { } backgroundName)
            {
                background = ShapePalette.FindBackground(backgroundName) ?? throw new EvalCaptionsException(
                    source, number,
                    $"unknown background \"{backgroundName}\" (known: {Known(ShapePalette.Backgrounds.Select(c => c.Name))}, grey)");
            }

            if (!root.TryGetProperty("objects", out var objects) || objects.ValueKind != JsonValueKind.Array)
            {
                throw new EvalCaptionsException(source, number, "\"objects\" must be an array of 1 or 2 objects");
            }

            var count = objects.GetArrayLength();
            if (count is < 1 or > MaxObjects)
            {
                throw new EvalCaptionsException(
                    source, number, $"\"objects\" must hold 1 to {MaxObjects} objects, got {count}");
            }

            var parsed = new List<CaptionObject>(count);
            foreach (var item in objects.EnumerateArray())
            {
                parsed.Add(ParseObject(item, source, number, parsed.Count));
            }

            if (parsed.Count > 1 && parsed.Any(o => o.Region == SceneRegion.Anywhere))
            {
                throw new EvalCaptionsException(
                    source, number, "with two objects each must name its region, or the analyzer cannot tell them apart");
            }

            return new EvalCaption(id, text, background, parsed, number);
        }
    }

    private static CaptionObject ParseObject(JsonElement item, string source, int number, int index)
    {
        var where = $"objects[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new EvalCaptionsException(source, number, $"{where} must be an object, got {Kind(item)}");
        }

        var shapeName = RequiredString(item, "shape", source, number, where);
        if (!ShapeKindNames.TryParse(shapeName, out var shape))
        {
            throw new EvalCaptionsException(
                source, number, $"{where}: unknown shape \"{shapeName}\" (known: {Known(ShapeKindNames.All)})");
        }

        var colourName = RequiredString(item, "colour", source, number, where);
        var colour = ShapePalette.FindObject(colourName) ?? throw new EvalCaptionsException(
            source, number,
            $"{where}: unknown colour \"{colourName}\" (known: {Known(ShapePalette.Objects.Select(c => c.Name))})");

        var region = SceneRegion.Anywhere;
        if (OptionalString(item, "region", source, number, where) is { } regionName
            && !SceneRegion.TryParse(regionName, out region))
        {
            throw new EvalCaptionsException(
                source, number,
                $"{where}: unknown region \"{regionName}\" (known: {Known(SceneRegion.Named.Select(r => r.Name))}, or null)");
        }

        var size = OptionalString(item, "size", source, number, where);
        return new CaptionObject(shape, colour, region, size);
    }

    private static string RequiredString(
        JsonElement element, string name, string source, int number, string? where = null)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new EvalCaptionsException(source, number, $"{Prefix(where)}missing \"{name}\"");
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new EvalCaptionsException(source, number, $"{Prefix(where)}\"{name}\" must be a string, got {Kind(value)}");
    }

    private static string? OptionalString(
        JsonElement element, string name, string source, int number, string? where = null)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new EvalCaptionsException(
                source, number, $"{Prefix(where)}\"{name}\" must be a string or null, got {Kind(value)}");
    }

    private static string Prefix(string? where) => where is null ? string.Empty : $"{where}: ";

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Known(IEnumerable<string> names) => string.Join(", ", names);
}
