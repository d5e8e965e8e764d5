using Glide.Models;
using Glide.Tensors;

namespace Glide.Tests.Models.Runtime;

/// <summary>
/// The tiny fixture (tests/fixtures/tiny) loaded once on the CPU for the tests of <see cref="TinyModelSetCollection"/>,
/// as a process loads it once, with each graph's verify arrays read on first use.
/// </summary>
public sealed class TinyModelSetFixture : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NpzArchive> _references = new(StringComparer.Ordinal);

    public TinyModelSetFixture()
    {
        Manifest = TinyFixture.Load();
        Set = Load(TinyFixture.Directory, ExecutionDevice.Cpu);
    }

    public ModelManifest Manifest { get; }

    public GlideModelSet Set { get; }

    public static TheoryData<string> TextGraphs() =>
        ["base.text", "upsample.text", "base-inpaint.text", "upsample-inpaint.text"];

    public static TheoryData<string> UNetGraphs() =>
        ["base.unet", "upsample.unet", "base-inpaint.unet", "upsample-inpaint.unet"];

    /// <summary>
    /// Loads a model directory without re-hashing the graphs (<see cref="TinyFixture.Load"/> has checked the
    /// fixture's hashes); <paramref name="models"/> empty loads every model.
    /// </summary>
    public static GlideModelSet Load(string directory, ExecutionDevice device, params string[] models) =>
        GlideModelSet.Load(directory, device, new GlideModelSetOptions
        {
            Models = models.Length == 0 ? null : models,
            VerifyHashes = false,
        });

    /// <summary>The <c>verify/&lt;graph&gt;.npz</c> arrays: <c>in.*</c> inputs, <c>out.*</c> PyTorch outputs.</summary>
    public NpzArchive Reference(string graphName)
    {
        lock (_lock)
        {
            if (!_references.TryGetValue(graphName, out var archive))
            {
                archive = NpzReader.Read(Manifest.ResolvePath(Manifest.GetGraph(graphName).Verify.File));
                _references.Add(graphName, archive);
            }

            return archive;
        }
    }

    public TextEncoderGraph Text(string graphName) => graphName switch
    {
        "base.text" => Set.BaseText,
        "upsample.text" => Set.UpsampleText,
        "base-inpaint.text" => Set.BaseInpaintText,
        "upsample-inpaint.text" => Set.UpsampleInpaintText,
        _ => null,
    } ?? throw new ArgumentException($"no text graph {graphName} in the set", nameof(graphName));

    public UNetGraph UNet(string graphName) => graphName switch
    {
        "base.unet" => Set.BaseUNet,
        "upsample.unet" => Set.UpsampleUNet,
        "base-inpaint.unet" => Set.BaseInpaintUNet,
        "upsample-inpaint.unet" => Set.UpsampleInpaintUNet,
        _ => null,
    } ?? throw new ArgumentException($"no UNet graph {graphName} in the set", nameof(graphName));

    /// <summary>The verify file's extra UNet inputs, or null for a graph that takes none.</summary>
    public UNetExtras? Extras(string graphName)
    {
        var unet = UNet(graphName);
        if (!unet.HasLowRes && !unet.HasInpaint)
        {
            return null;
        }

        var reference = Reference(graphName);
        ReadOnlyMemory<float> Input(bool taken, string name) => taken ? reference[$"in.{name}"].AsSingle() : default;
        return new UNetExtras
        {
            LowRes = Input(unet.HasLowRes, "low_res"),
            InpaintImage = Input(unet.HasInpaint, "inpaint_image"),
            InpaintMask = Input(unet.HasInpaint, "inpaint_mask"),
        };
    }

    public void Dispose() => Set.Dispose();
}
