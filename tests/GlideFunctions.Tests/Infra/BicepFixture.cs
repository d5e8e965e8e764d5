using System.Text.Json;
using Glide.Testing;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// Builds and lints every .bicep file under infra/ once for the whole <see cref="BicepCollection"/> (each CLI run takes
/// seconds), keeping the compiled ARM JSON of main.bicep for the tests that read the template.
/// </summary>
public sealed class BicepFixture : IAsyncLifetime
{
    public const string Pattern = "infra/**/*.bicep";

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"glide-bicep-{Guid.NewGuid():N}");

    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    /// <summary>The .bicep files under infra/, relative to the repository root.</summary>
    public IReadOnlyList<string> Files { get; } = Directory
        .EnumerateFiles(RepoRoot.Combine("infra"), "*.bicep", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(RepoRoot.Path, f))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Where <c>bicep build</c> wrote the ARM JSON (the infra/ tree, mirrored).</summary>
    public string OutputDirectory => _output;

    /// <summary>The compiled main.bicep.</summary>
    public JsonDocument MainTemplate { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        var build = BicepCli.BuildAsync(RepoRoot.Path, Pattern, _output);
        var lint = BicepCli.LintAsync(RepoRoot.Path, Pattern);
        Build = await build;
        Lint = await lint;
        var main = Path.Combine(_output, "main.json");
        if (File.Exists(main))
        {
            MainTemplate = JsonDocument.Parse(await File.ReadAllTextAsync(main));
        }
    }

    public Task DisposeAsync()
    {
        MainTemplate?.Dispose();
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>The compiled main.bicep, failing with the build's diagnostics when there is none.</summary>
    public JsonElement RequireMainTemplate()
    {
        Build.AssertClean();
        return MainTemplate?.RootElement
            ?? throw new Xunit.Sdk.XunitException($"bicep build wrote no main.json to {_output}");
    }
}

[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<BicepFixture>
{
    public const string Name = "Bicep";
}
