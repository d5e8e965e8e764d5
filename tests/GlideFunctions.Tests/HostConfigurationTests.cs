using System.Text.Json;
using System.Text.RegularExpressions;
using Glide.Testing;
using GlideFunctions.Options;

namespace GlideFunctions.Tests;

/// <summary>The root host.json and the settings template users copy to local.settings.json.</summary>
public sealed partial class HostConfigurationTests
{
    // Settings the Functions host itself reads for an isolated worker app.
    private static readonly string[] HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];

    private static readonly JsonDocumentOptions StrictJson = new() { AllowTrailingCommas = false };

    [Fact]
    public void Host_json_is_a_v2_host_file_for_an_isolated_worker()
    {
        using var host = ReadJson("host.json");
        var root = host.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.True(TimeSpan.TryParse(root.GetProperty("functionTimeout").GetString(), out var timeout));
        Assert.True(timeout > TimeSpan.Zero);
        Assert.True(root.GetProperty("logging").GetProperty("logLevel").TryGetProperty("default", out _));

        // Isolated workers bring their extensions as NuGet packages; a bundle would load a second, mismatched set.
        Assert.False(root.TryGetProperty("extensionBundle", out _));
    }

    [Fact]
    public void The_durable_task_hub_name_comes_from_an_app_setting()
    {
        using var host = ReadJson("host.json");

        var hubName = host.RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("hubName");

        Assert.Equal("%GLIDE_TASKHUB%", hubName.GetString());
    }

    [Fact]
    public void The_settings_template_has_every_key_the_app_reads()
    {
        using var sample = ReadJson("local.settings.sample.json");
        var root = sample.RootElement;
        var values = root.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        var expected = HostSettings
            .Concat(HostJsonSettingReferences())
            .Concat(typeof(GlideOptions).GetProperties().Select(p => $"{GlideOptions.SectionName}__{p.Name}"))
            .ToList();

        Assert.False(root.GetProperty("IsEncrypted").GetBoolean());
        Assert.All(expected, key => Assert.True(values.ContainsKey(key), $"local.settings.sample.json lacks Values.{key}"));
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("cpu", values["Glide__Device"]);
    }

    /// <summary>Every <c>%NAME%</c> app-setting reference in host.json.</summary>
    private static IEnumerable<string> HostJsonSettingReferences() =>
        SettingReference().Matches(File.ReadAllText(RepoRoot.Combine("host.json"))).Select(m => m.Groups[1].Value);

    private static JsonDocument ReadJson(string name) =>
        JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine(name)), StrictJson);

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();
}
