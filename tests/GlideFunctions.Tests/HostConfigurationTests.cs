using System.Text.Json;
using System.Text.RegularExpressions;
using Glide.Testing;
using GlideFunctions.Activities;
using GlideFunctions.Options;
using GlideFunctions.Queue;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
            .Concat(OptionsSettings())
            .ToList();

        Assert.False(root.GetProperty("IsEncrypted").GetBoolean());
        Assert.All(expected, key => Assert.True(values.ContainsKey(key), $"local.settings.sample.json lacks Values.{key}"));
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("cpu", values["Glide__Device"]);
    }

    [Fact]
    public void The_settings_template_has_no_key_the_app_does_not_read()
    {
        using var sample = ReadJson("local.settings.sample.json");
        var known = HostSettings.Concat(HostJsonSettingReferences()).Concat(OptionsSettings()).ToHashSet();

        var unknown = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)
            .Where(name => !known.Contains(name));

        Assert.Empty(unknown);
    }

    [Fact]
    public void The_settings_template_binds_and_validates_as_the_app_starts()
    {
        using var sample = ReadJson("local.settings.sample.json");
        var values = sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.GetString());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddGlideStorage()
            .AddGlideGeneration()
            .AddGlideWebhooks(configuration)
            .AddGlideQueue()
            .BuildServiceProvider();

        // What ValidateOnStart checks when the worker starts: each options class binds and passes validation.
        Assert.Equal("models/glide-shapes", services.GetRequiredService<IOptions<GlideOptions>>().Value.ModelDirectory);
        Assert.Equal("glide-runs", services.GetRequiredService<IOptions<StorageOptions>>().Value.RunsContainer);
        Assert.Equal("glide-requests", services.GetRequiredService<IOptions<QueueOptions>>().Value.RequestsQueue);
        Assert.False(services.GetRequiredService<IOptions<WebhookOptions>>().Value.WebhooksEnabled);
    }

    /// <summary>
    /// The app setting of every bindable property of every options class the app registers
    /// (<c>Section__Property</c>).
    /// </summary>
    private static IEnumerable<string> OptionsSettings() =>
        new (string Section, Type Options)[]
        {
            (GlideOptions.SectionName, typeof(GlideOptions)),
            (StorageOptions.SectionName, typeof(StorageOptions)),
            (QueueOptions.SectionName, typeof(QueueOptions)),
            (WebhookOptions.SectionName, typeof(WebhookOptions)),
        }.SelectMany(o => o.Options.GetProperties()
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => $"{o.Section}__{p.Name}"));

    /// <summary>Every <c>%NAME%</c> app-setting reference in host.json.</summary>
    private static IEnumerable<string> HostJsonSettingReferences() =>
        SettingReference().Matches(File.ReadAllText(RepoRoot.Combine("host.json"))).Select(m => m.Groups[1].Value);

    private static JsonDocument ReadJson(string name) =>
        JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine(name)), StrictJson);

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();
}
