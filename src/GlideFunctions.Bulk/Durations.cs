using System.Globalization;
using System.Text.RegularExpressions;

namespace GlideFunctions.Bulk;

/// <summary>Durations as people type them: <c>90s</c>, <c>30m</c>, <c>1h30m</c>, or <c>hh:mm:ss</c>.</summary>
internal static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
        }

        var match = UnitPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var total = TimeSpan.Zero;
        foreach (var (group, unit) in new[] { ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)) })
        {
            if (match.Groups[group].Success)
            {
                total += unit * int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
            }
        }

        duration = total;
        return total > TimeSpan.Zero;
    }

    public static string Format(TimeSpan duration) => duration.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m")
        : duration.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");

    // At least one unit, largest first, each at most once; "30" alone is ambiguous and refused.
    [GeneratedRegex("^(?=\\d)(?:(?<h>\\d{1,4})h)?(?:(?<m>\\d{1,6})m)?(?:(?<s>\\d{1,7})s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitPattern();
}
