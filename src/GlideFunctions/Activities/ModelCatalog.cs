using Glide.Diffusion;
using Glide.Models;

namespace GlideFunctions.Activities;

/// <summary>
/// Which model kinds and graphs the configured model directory holds, read from its manifest on first use and without
/// opening any graph: the app loads the optional models (CLIP, inpainting) only where they were exported, and the API
/// and the queue refuse up front what the directory cannot run (a rerank without CLIP graphs, CLIP guidance without
/// <c>clip.grad</c>, inpainting without the inpainting models) instead of failing the generation later, and fill in
/// the model's defaults (its upsample sampler) so that a generation's input says what ran.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>The kind of the noised-CLIP model (<c>clip.text</c>, <c>clip.image</c>); reranking needs it.
    /// </summary>
    public const string ClipKind = "clip";

    /// <summary>The 64×64 inpainting model (<c>base-inpaint.text</c>, <c>base-inpaint.unet</c>).</summary>
    public const string BaseInpaintKind = "base-inpaint";

    /// <summary>The 256×256 inpainting upsampler (<c>upsample-inpaint.text</c>, <c>upsample-inpaint.unet</c>).</summary>
    public const string UpsampleInpaintKind = "upsample-inpaint";

    /// <summary>The optional part of the clip model that CLIP guidance needs besides <c>clip.text</c>.</summary>
    public const string ClipGradientPart = "grad";

    private readonly Lazy<Contents> _contents;

    /// <param name="directory">The model directory (or its manifest); read once, lazily.</param>
    public ModelCatalog(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = directory;
        _contents = new(() => Read(directory), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Directory { get; }

    /// <summary>The model kinds in the directory's manifest.</summary>
    /// <exception cref="ModelManifestException">The directory has no valid manifest.</exception>
    public IReadOnlySet<string> Kinds => _contents.Value.Kinds;

    /// <summary>Whether reranking can run: the directory has the CLIP model.</summary>
    public bool CanRerank => Kinds.Contains(ClipKind);

    /// <summary>
    /// Whether CLIP-guided sampling can run: the clip model was exported with its gradient graph
    /// (<c>clip.grad</c>; exports made before it existed have only <c>clip.text</c> and <c>clip.image</c>).
    /// </summary>
    public bool CanClipGuide => _contents.Value.HasClipGradient;

    /// <summary>Whether inpainting can run: the directory has both inpainting models.</summary>
    public bool CanInpaint => Kinds.Contains(BaseInpaintKind) && Kinds.Contains(UpsampleInpaintKind);

    /// <summary>
    /// The text-to-image upsampler's steps when a request names none: the manifest's
    /// <c>sampling.upsample_sampler</c>, DDIM when it names none (<see cref="SamplingDefaults"/>).
    /// </summary>
    /// <exception cref="ModelManifestException">The directory has no valid manifest.</exception>
    public SamplerKind UpsampleSampler => _contents.Value.UpsampleSampler;

    private static Contents Read(string directory)
    {
        var manifest = ModelManifest.Load(directory, verifyHashes: false);
        var graphs = manifest.Graphs.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var clipModels = manifest.Models.Where(m => m.Value.Kind == ClipKind).Select(m => m.Key).ToList();
        return new(
            manifest.Models.Values.Select(m => m.Kind).ToHashSet(StringComparer.Ordinal),
            clipModels.Any(name => graphs.Contains($"{name}.{ClipGradientPart}")),
            manifest.Sampling.UpsampleSamplerKind);
    }

    private sealed record Contents(IReadOnlySet<string> Kinds, bool HasClipGradient, SamplerKind UpsampleSampler);
}
