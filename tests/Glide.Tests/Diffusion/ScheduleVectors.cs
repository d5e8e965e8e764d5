using System.Text.Json;
using Glide.Testing;

namespace Glide.Tests.Diffusion;

/// <summary>
/// <c>tests/fixtures/vectors/schedules.json</c>: float64 tables of the official GaussianDiffusion/SpacedDiffusion for
/// both schedules and ten respacings (glide-spec §7.1, §7.2).
/// </summary>
internal static class ScheduleVectors
{
    public static readonly string[] Schedules = ["squaredcos_cap_v2", "linear"];

    private const string RespacingPrefix = "respacing:";

    private static readonly Lazy<JsonElement> Root = new(Load);

    public static string Path => RepoRoot.Combine("tests", "fixtures", "vectors", "schedules.json");

    public static double[] Betas1000(string schedule) =>
        Doubles(Root.Value.GetProperty(schedule).GetProperty("betas_1000"));

    /// <summary>Respacing names of a schedule, e.g. "100", "fast27", "none(1000)".</summary>
    public static IEnumerable<string> Respacings(string schedule) =>
        Root.Value.GetProperty(schedule).EnumerateObject()
            .Where(p => p.Name.StartsWith(RespacingPrefix, StringComparison.Ordinal))
            .Select(p => p.Name[RespacingPrefix.Length..]);

    public static JsonElement Entry(string schedule, string respacing) =>
        Root.Value.GetProperty(schedule).GetProperty(RespacingPrefix + respacing);

    /// <summary>Every (schedule, respacing) pair, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var schedule in Schedules)
        {
            foreach (var respacing in Respacings(schedule))
            {
                data.Add(schedule, respacing);
            }
        }

        return data;
    }

    public static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    public static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    /// <summary>|actual − expected| ≤ rtol·|expected| for every entry; an expected 0 must be matched exactly.</summary>
    public static void AssertRelativelyClose(double[] expected, ReadOnlySpan<double> actual, double rtol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} entries, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = rtol * Math.Abs(expected[i]);
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{what}[{i}]: {actual[i]:R} vs expected {expected[i]:R} (rtol {rtol:G})");
        }
    }

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
        return document.RootElement.Clone();
    }
}
