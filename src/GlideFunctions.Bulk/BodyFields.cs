using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GlideFunctions.Bulk;

/// <summary>The JSON type of a create-body field.</summary>
internal enum FieldKind
{
    String,
    Integer,
    Number,
    Boolean,
    StringArray,
}

/// <summary>
/// The create body's fields (design §4, the service's <c>CreateGenerationBody</c>) and the checks that need no
/// knowledge of the service's configuration: names, JSON types, the documented ranges, the id rules and the queue's
/// size limit. The service stays the authority for the rest (respacing strings, webhook targets, field combinations);
/// a message it refuses is recorded in its poison queue, which the wait step reads.
/// </summary>
internal static class BodyFields
{
    public const string Prompt = "prompt";
    public const string Id = "id";

    /// <summary>Longest id: the service's <c>GenerationIds.MaxLength</c>.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Most candidates and outputs per generation.</summary>
    public const int MaxCandidates = 64;

    /// <summary>Most base rows an inpainting request's <c>keep_top_rows</c> keeps (of 64).</summary>
    public const int MaxKeepTopRows = 63;

    /// <summary>Longest prompt, in Unicode scalar values.</summary>
    public const int MaxPromptLength = 2000;

    /// <summary>2^53 − 64: the largest first seed.</summary>
    public const long MaxSeed = (1L << 53) - MaxCandidates;

    /// <summary>
    /// A queue message holds 64 KiB of text; base64 makes 4 characters of every 3 bytes, so a body may be 48 KiB.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024 / 4 * 3;

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IReadOnlyDictionary<string, FieldKind> Kinds { get; } = new Dictionary<string, FieldKind>(StringComparer.Ordinal)
    {
        [Prompt] = FieldKind.String,
        ["negative_prompt"] = FieldKind.String,
        ["num_candidates"] = FieldKind.Integer,
        ["num_outputs"] = FieldKind.Integer,
        ["guidance_scale"] = FieldKind.Number,
        ["guidance_mode"] = FieldKind.String,
        ["base_steps"] = FieldKind.String,
        ["upsample_steps"] = FieldKind.String,
        ["upsample_sampler"] = FieldKind.String,
        ["seed"] = FieldKind.Integer,
        ["rerank"] = FieldKind.Boolean,
        ["webhook"] = FieldKind.String,
        ["webhook_events_filter"] = FieldKind.StringArray,
        ["image"] = FieldKind.String,
        ["mask"] = FieldKind.String,
        ["invert_mask"] = FieldKind.Boolean,
        ["keep_top_rows"] = FieldKind.Integer,
        [Id] = FieldKind.String,
    };

    /// <summary>
    /// Whether <paramref name="id"/> can name a generation: 1 to 64 ASCII letters, digits, <c>-</c> or <c>_</c>,
    /// starting with a letter or digit (it also names the run's blobs).
    /// </summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength }
        && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The value of <c>--set name=value</c> as the JSON the field takes.</summary>
    /// <exception cref="FormatException">The value does not fit the field; the message says what it takes.</exception>
    public static JsonNode? ParseSetting(string name, FieldKind kind, string value) => kind switch
    {
        FieldKind.String => JsonValue.Create(value),
        FieldKind.Integer => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? JsonValue.Create(integer)
            : throw new FormatException($"--set {name} takes an integer, got '{value}'"),
        FieldKind.Number => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonValue.Create(number)
            : throw new FormatException($"--set {name} takes a number, got '{value}'"),
        FieldKind.Boolean => bool.TryParse(value, out var flag)
            ? JsonValue.Create(flag)
            : throw new FormatException($"--set {name} takes true or false, got '{value}'"),
        _ => new JsonArray([.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(item => (JsonNode?)JsonValue.Create(item))]),
    };

    /// <summary>Every problem of <paramref name="body"/> that can be seen without the service, in field order.</summary>
    public static IEnumerable<string> Check(JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            if (!Kinds.TryGetValue(name, out var kind))
            {
                yield return $"'{name}' is not a field of a create body; the fields are {string.Join(", ", Kinds.Keys)}";
                continue;
            }

            if (value is null)
            {
                continue;
            }

            var problem = CheckValue(name, kind, value);
            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (body[Prompt] is null)
        {
            yield return "prompt is required";
        }

        if (Integer(body, "num_candidates") is { } candidates && Integer(body, "num_outputs") is { } outputs
            && outputs > candidates)
        {
            yield return $"num_outputs ({outputs}) cannot exceed num_candidates ({candidates})";
        }
    }

    private static string? CheckValue(string name, FieldKind kind, JsonNode value)
    {
        var element = value.GetValueKind();
        switch (kind)
        {
            case FieldKind.String when element != JsonValueKind.String:
                return $"{name} must be a string, got {Describe(element)}";
            case FieldKind.String when name == Prompt || name == "negative_prompt":
                var length = value.GetValue<string>().EnumerateRunes().Count();
                return length > MaxPromptLength
                    ? $"{name} is {length:N0} characters long; the limit is {MaxPromptLength:N0}"
                    : null;
            case FieldKind.String when name == Id:
                var id = value.GetValue<string>();
                return IsValidId(id)
                    ? null
                    : $"id must be 1 to {MaxIdLength} ASCII letters, digits, '-' or '_', starting with a letter or digit, got '{id}'";
            case FieldKind.String:
                return null;
            case FieldKind.Boolean:
                return element is JsonValueKind.True or JsonValueKind.False ? null : $"{name} must be true or false, got {Describe(element)}";
            case FieldKind.StringArray:
                return element == JsonValueKind.Array && value.AsArray().All(item => item?.GetValueKind() == JsonValueKind.String)
                    ? null
                    : $"{name} must be an array of strings";
            case FieldKind.Number:
                if (element != JsonValueKind.Number)
                {
                    return $"{name} must be a number, got {Describe(element)}";
                }

                var number = Number(value);
                return name == "guidance_scale" && number is < 0 or > 100
                    ? $"guidance_scale must be between 0 and 100, got {number.ToString(CultureInfo.InvariantCulture)}"
                    : null;
            default:
                if (element != JsonValueKind.Number || IntegerOf(value) is not { } integer)
                {
                    return $"{name} must be an integer, got {(element == JsonValueKind.Number ? value.ToJsonString() : Describe(element))}";
                }

                var (min, max) = name switch
                {
                    "seed" => (0L, MaxSeed),
                    "keep_top_rows" => (0L, MaxKeepTopRows),
                    _ => (1L, MaxCandidates),
                };
                return integer < min || integer > max ? $"{name} must be between {min} and {max}, got {integer}" : null;
        }
    }

    /// <summary>A JSON number's value, however the node holds it (parsed text, or a long or double from code).</summary>
    public static double Number(JsonNode value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static long? Integer(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? IntegerOf(value) : null;

    /// <summary>A JSON number written as an integer (no fraction or exponent), or null.</summary>
    private static long? IntegerOf(JsonNode value) =>
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? integer
            : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>
    /// Compact UTF-8 JSON, as the message carries it. Accented and CJK text stays as it is rather than as
    /// <c>\uXXXX</c> escapes (a third of the size, and readable in a storage browser); characters outside the Basic
    /// Multilingual Plane, such as emoji, are still escaped by the relaxed encoder.
    /// </summary>
    public static byte[] Serialize(JsonObject body) => Encoding.UTF8.GetBytes(body.ToJsonString(WriteOptions));
}
