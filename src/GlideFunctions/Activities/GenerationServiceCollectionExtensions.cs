using Glide.Models;
using GlideFunctions.Api;
using GlideFunctions.Options;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Activities;

public static class GenerationServiceCollectionExtensions
{
    /// <summary>The models the generation stages need from the model directory.</summary>
    public static readonly IReadOnlyList<string> StageModels = ["base", "upsample"];

    /// <summary>The models loaded as well when the model directory has them (CLIP, for reranking and CLIP guidance).</summary>
    public static readonly IReadOnlyList<string> OptionalStageModels = [ModelCatalog.ClipKind];

    /// <summary>The models of the inpainting stages: a second set, loaded when the first inpainting stage runs.</summary>
    public static readonly IReadOnlyList<string> InpaintStageModels = [ModelCatalog.BaseInpaintKind, ModelCatalog.UpsampleInpaintKind];

    /// <summary>
    /// The generation pipeline: <see cref="GlideOptions"/> (validated at start-up), the process's one
    /// <see cref="GlideModelProvider"/> (ONNX sessions created on first use), the stage runner, the activity classes,
    /// the <see cref="GenerationLauncher"/>, the <see cref="ModelCatalog"/> and the HTTP parser options. Storage comes from
    /// <see cref="StorageServiceCollectionExtensions.AddGlideStorage"/>, webhook options from
    /// <c>AddGlideWebhooks</c>.
    /// </summary>
    public static IServiceCollection AddGlideGeneration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GlideOptions>()
            .BindConfiguration(GlideOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ModelCatalog(
            ResolveModelDirectory(provider.GetRequiredService<IOptions<GlideOptions>>().Value.ModelDirectory)));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<GlideOptions>>().Value;
            var catalog = provider.GetRequiredService<ModelCatalog>();
            var device = options.Device == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu;
            return new GlideModelProvider(
                () => GlideModelSet.Load(
                    catalog.Directory, device, new GlideModelSetOptions
                    {
                        Models = [.. StageModels, .. OptionalStageModels.Where(catalog.Kinds.Contains)],
                    }),
                () => GlideModelSet.Load(
                    catalog.Directory, device, new GlideModelSetOptions { Models = [.. InpaintStageModels] }));
        });
        services.TryAddSingleton(provider => new StageRunner(
            provider.GetRequiredService<RunSignals>(),
            provider.GetRequiredService<IOptions<GlideOptions>>().Value.SignalInterval,
            provider.GetRequiredService<ILogger<StageRunner>>()));
        services.TryAddSingleton<EncodeTextActivity>();
        services.TryAddSingleton<SampleBaseActivity>();
        services.TryAddSingleton<UpsampleActivity>();
        services.TryAddSingleton<RerankActivity>();
        services.TryAddSingleton<InpaintBaseActivity>();
        services.TryAddSingleton<InpaintUpsampleActivity>();
        services.TryAddSingleton<GenerationLauncher>();

        // The HTTP create endpoint's parsing rules, with the webhook rules of AddGlideWebhooks' options.
        services.TryAddSingleton(provider => GenerationParserOptions.Http.WithWebhookOptions(
            provider.GetRequiredService<IOptions<WebhookOptions>>().Value));
        return services;
    }

    /// <summary>A relative model directory is relative to the app's own directory (where the bundled model is).</summary>
    public static string ResolveModelDirectory(string directory) =>
        Path.IsPathRooted(directory) ? directory : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, directory));
}
