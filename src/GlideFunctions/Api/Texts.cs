using System.Globalization;
using System.Text.Json;

namespace GlideFunctions.Api;

/// <summary>How error messages show client values: quoted, and cut short so a huge value cannot bloat them.</summary>
internal static class Texts
{
    private const int MaxShown = 80;

    /// <summary><paramref name="value"/> in single quotes, its middle elided past 80 characters.</summary>
    public static string Quote(string value) => $"'{Shorten(value)}'";

    /// <summary>The JSON text of <paramref name="element"/>, cut short like <see cref="Quote"/>.</summary>
    public static string Raw(JsonElement element) => Shorten(element.GetRawText());

    /// <summary>"a string", "a number", …: what a JSON value is, for "must be X, got Y" messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "no value",
    };

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><paramref name="value"/> with its middle elided past 80 characters.</summary>
    public static string Shorten(string value) =>
        value.Length <= MaxShown
            ? value
            : string.Concat(value.AsSpan(0, MaxShown / 2), "…", value.AsSpan(value.Length - (MaxShown / 2)));
}
