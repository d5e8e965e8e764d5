using GlideFunctions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Tests.Options;

public sealed class GlideOptionsTests
{
    [Fact]
    public void Binds_from_the_double_underscore_app_settings()
    {
        var options = Resolve(new() { ["Glide:ModelDirectory"] = "/models/tiny", ["Glide:Device"] = "cuda" });

        Assert.Equal("/models/tiny", options.ModelDirectory);
        Assert.Equal("cuda", options.Device);
    }

    [Fact]
    public void A_missing_model_directory_fails_validation()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Glide:Device"] = "cpu" }));

        Assert.Contains(nameof(GlideOptions.ModelDirectory), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_device_fails_validation()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(new() { ["Glide:ModelDirectory"] = "m", ["Glide:Device"] = "tpu" }));

        Assert.Contains(nameof(GlideOptions.Device), error.Message, StringComparison.Ordinal);
    }

    private static GlideOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddOptions<GlideOptions>()
            .BindConfiguration(GlideOptions.SectionName)
            .ValidateDataAnnotations()
            .Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<GlideOptions>>().Value;
    }
}
