using System.Text.Json;

namespace Glide.Models;

/// <summary>One network (base, upsample, …) of a model set: its kind, build options and weight source.</summary>
public sealed record ModelEntry
{
    /// <summary>The kinds FORMAT.md defines.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["base", "upsample", "base-inpaint", "upsample-inpaint", "clip"];

    public required string Kind { get; init; }

    /// <summary>Every option the network was built with (snake_case names, glide-spec §3.1), kept as JSON.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Options { get; init; }

    public required long ParamCount { get; init; }

    public required ModelSource Source { get; init; }
}
