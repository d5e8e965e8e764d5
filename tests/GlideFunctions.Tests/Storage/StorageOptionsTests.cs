using GlideFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Tests.Storage;

public sealed class StorageOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        var options = Resolve([]);

        Assert.Equal("AzureWebJobsStorage", options.ConnectionName);
        Assert.Equal("glide-runs", options.RunsContainer);
    }

    [Fact]
    public void Binds_from_the_storage_section()
    {
        var options = Resolve(new()
        {
            ["Storage:ConnectionName"] = "GlideStorage",
            ["Storage:RunsContainer"] = "runs-2026",
        });

        Assert.Equal("GlideStorage", options.ConnectionName);
        Assert.Equal("runs-2026", options.RunsContainer);
    }

    [Theory]
    [InlineData("Glide-Runs")]
    [InlineData("ab")]
    [InlineData("a--b")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData("glide_runs")]
    [InlineData("")]
    public void A_container_name_azure_would_refuse_fails_validation(string container)
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(new() { ["Storage:RunsContainer"] = container }));

        Assert.Contains(nameof(StorageOptions.RunsContainer), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_container_name_longer_than_63_characters_fails_validation()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(new() { ["Storage:RunsContainer"] = new string('a', 64) }));

        Assert.Contains(nameof(StorageOptions.RunsContainer), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_connection_name_fails_validation()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(new() { ["Storage:ConnectionName"] = "" }));

        Assert.Contains(nameof(StorageOptions.ConnectionName), error.Message, StringComparison.Ordinal);
    }

    private static StorageOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<StorageOptions>>().Value;
    }
}
