using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// The graphs of one exported model directory (src/export/FORMAT.md), loaded once per process: the manifest is
/// validated, each graph gets exactly one <see cref="InferenceSession"/> whose signature is checked against the
/// manifest, and each is exposed through its typed wrapper. Wrappers are null for models the set does not hold.
/// Meant to be a singleton; every wrapper may be used from several threads at once.
/// </summary>
public sealed class GlideModelSet : IDisposable
{
    private const string BaseKind = "base";
    private const string UpsampleKind = "upsample";
    private const string BaseInpaintKind = "base-inpaint";
    private const string UpsampleInpaintKind = "upsample-inpaint";
    private const string ClipKind = "clip";
    private const string TextPart = "text";
    private const string UNetPart = "unet";
    private const string ImagePart = "image";
    private const string GradPart = "grad";

    private readonly OrtSessionFactory _factory;
    private readonly List<IDisposable> _graphs = [];
    private readonly Dictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private bool _disposed;

    private GlideModelSet(ModelManifest manifest, OrtSessionFactory factory)
    {
        Manifest = manifest;
        _factory = factory;
    }

    public ModelManifest Manifest { get; }

    /// <summary>The loaded models by kind (<c>base</c>, <c>upsample</c>, …): options, parameters, source.</summary>
    public IReadOnlyDictionary<string, ModelEntry> Models => _models;

    public ExecutionDevice RequestedDevice => _factory.RequestedDevice;

    /// <summary>Where the sessions run; <see cref="DeviceFallback"/> says why when not where requested.</summary>
    public ExecutionDevice EffectiveDevice => _factory.EffectiveDevice;

    /// <summary>Why the requested device is not used (the host should log it as a warning), or null.</summary>
    public ExecutionDeviceFallback? DeviceFallback => _factory.Fallback;

    public TextEncoderGraph? BaseText { get; private set; }

    public UNetGraph? BaseUNet { get; private set; }

    public TextEncoderGraph? UpsampleText { get; private set; }

    public UNetGraph? UpsampleUNet { get; private set; }

    public TextEncoderGraph? BaseInpaintText { get; private set; }

    public UNetGraph? BaseInpaintUNet { get; private set; }

    public TextEncoderGraph? UpsampleInpaintText { get; private set; }

    public UNetGraph? UpsampleInpaintUNet { get; private set; }

    public ClipTextGraph? ClipText { get; private set; }

    public ClipImageGraph? ClipImage { get; private set; }

    /// <summary>
    /// The CLIP-guidance gradient graph <c>clip.grad</c>; null when the set has no clip model or its export predates
    /// the graph (it is optional: reranking needs only <see cref="ClipText"/> and <see cref="ClipImage"/>).
    /// </summary>
    public ClipGradientGraph? ClipGradient { get; private set; }

    /// <summary>Loads a model directory.</summary>
    /// <param name="modelDirectory">The directory holding <c>manifest.json</c>, or the manifest itself.</param>
    /// <param name="device">Where to run; CUDA falls back to the CPU where it cannot be used.</param>
    /// <param name="options">Which models, threads, hashing; null loads every model and checks hashes.</param>
    /// <exception cref="ModelManifestException">The directory, a graph or its signature does not match FORMAT.md,
    /// or a required graph is missing; the message names the graph.</exception>
    /// <exception cref="ArgumentException"><see cref="GlideModelSetOptions.Models"/> names an unknown kind.</exception>
    public static GlideModelSet Load(
        string modelDirectory, ExecutionDevice device, GlideModelSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        options ??= new GlideModelSetOptions();
        var manifest = ModelManifest.Load(modelDirectory, options.VerifyHashes);
        var models = SelectModels(manifest, options.Models);

        var factory = new OrtSessionFactory(device, options.IntraOpThreads, options.CudaDeviceId);
        var set = new GlideModelSet(manifest, factory);
        try
        {
            foreach (var (name, model) in models)
            {
                set.LoadModel(name, model);
            }

            set.CheckTextWidths(set.BaseText, set.BaseUNet);
            set.CheckTextWidths(set.UpsampleText, set.UpsampleUNet);
            set.CheckTextWidths(set.BaseInpaintText, set.BaseInpaintUNet);
            set.CheckTextWidths(set.UpsampleInpaintText, set.UpsampleInpaintUNet);
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var graph in _graphs)
        {
            graph.Dispose();
        }

        _graphs.Clear();
        _factory.Dispose();
    }

    private static string[] Parts(string kind) => kind == ClipKind ? [TextPart, ImagePart] : [TextPart, UNetPart];

    /// <summary>Graphs a model may have beyond its <see cref="Parts"/>.</summary>
    private static string[] OptionalParts(string kind) => kind == ClipKind ? [GradPart] : [];

    /// <summary>The models to load, by manifest name, after the checks that need no ONNX Runtime.</summary>
    private static List<(string Name, ModelEntry Model)> SelectModels(
        ModelManifest manifest, IReadOnlyCollection<string>? requested)
    {
        var path = manifest.ManifestPath;
        foreach (var graph in manifest.Graphs)
        {
            var kind = manifest.Models[graph.Model].Kind;
            string[] parts = [.. Parts(kind), .. OptionalParts(kind)];
            if (!parts.Contains(graph.Name[(graph.Model.Length + 1)..]))
            {
                var expected = string.Join(" or ", parts.Select(p => $"\"{graph.Model}.{p}\""));
                throw new ModelManifestException(path, graph.Name, "name", $"expected {expected} for a {kind} model");
            }
        }

        var byKind = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, model) in manifest.Models)
        {
            if (!byKind.TryAdd(model.Kind, name))
            {
                throw new ModelManifestException(
                    path, null, $"models.{name}.kind",
                    $"\"{model.Kind}\" is already the kind of model '{byKind[model.Kind]}': " +
                    "a set holds one model per kind");
            }
        }

        var kinds = requested?.Distinct(StringComparer.Ordinal).ToList() ?? [.. byKind.Keys];
        var selected = new List<(string, ModelEntry)>(kinds.Count);
        foreach (var kind in kinds)
        {
            if (!ModelEntry.Kinds.Contains(kind))
            {
                throw new ArgumentException(
                    $"unknown model kind \"{kind}\" (expected one of {string.Join(", ", ModelEntry.Kinds)})",
                    "options");
            }

            if (!byKind.TryGetValue(kind, out var name))
            {
                var graphs = Parts(kind).Select(p => $"{kind}.{p}").ToList();
                throw new ModelManifestException(
                    path, graphs[0], null,
                    $"graphs {string.Join(" and ", graphs)} are required (model kind '{kind}' was requested), " +
                    $"but the model directory has no {kind} model (it has: {string.Join(", ", byKind.Keys)})");
            }

            foreach (var part in Parts(kind))
            {
                var graphName = $"{name}.{part}";
                if (!manifest.Graphs.Any(g => g.Name == graphName))
                {
                    throw new ModelManifestException(
                        path, graphName, "graphs",
                        $"model '{name}' ({kind}) needs graph '{graphName}', but the manifest's graphs are " +
                        $"[{string.Join(", ", manifest.Graphs.Select(g => g.Name))}]");
                }
            }

            selected.Add((name, manifest.Models[name]));
        }

        return selected;
    }

    private void LoadModel(string name, ModelEntry model)
    {
        var text = Manifest.GetGraph($"{name}.{TextPart}");
        if (model.Kind == ClipKind)
        {
            var image = Manifest.GetGraph($"{name}.{ImagePart}");
            ClipText = Add(text, model, (m, g, e, s) => new ClipTextGraph(m, g, e, s));
            ClipImage = Add(image, model, (m, g, e, s) => new ClipImageGraph(m, g, e, s));
            if (Manifest.Graphs.FirstOrDefault(g => g.Name == $"{name}.{GradPart}") is { } grad)
            {
                ClipGradient = Add(grad, model, (m, g, e, s) => new ClipGradientGraph(m, g, e, s));
                ClipGradient.CheckCompanions(Manifest, ClipText, ClipImage);
            }

            _models.Add(model.Kind, model);
            return;
        }

        var encoder = Add(text, model, (m, g, e, s) => new TextEncoderGraph(m, g, e, s));
        var unet = Add(Manifest.GetGraph($"{name}.{UNetPart}"), model, (m, g, e, s) => new UNetGraph(m, g, e, s));
        CheckVariant(model.Kind, unet);
        switch (model.Kind)
        {
            case BaseKind:
                (BaseText, BaseUNet) = (encoder, unet);
                break;
            case UpsampleKind:
                (UpsampleText, UpsampleUNet) = (encoder, unet);
                break;
            case BaseInpaintKind:
                (BaseInpaintText, BaseInpaintUNet) = (encoder, unet);
                break;
            case UpsampleInpaintKind:
                (UpsampleInpaintText, UpsampleInpaintUNet) = (encoder, unet);
                break;
            default:
                throw new InvalidOperationException($"no wrapper for model kind \"{model.Kind}\"");
        }

        _models.Add(model.Kind, model);
    }

    /// <summary>Opens one session on <paramref name="graph"/>, checks it and hands it to its wrapper.</summary>
    private T Add<T>(
        GraphSpec graph, ModelEntry model, Func<ModelManifest, GraphSpec, ModelEntry, InferenceSession, T> wrap)
        where T : IDisposable
    {
        InferenceSession session;
        try
        {
            session = _factory.CreateSession(Manifest.ResolvePath(graph.File));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelManifestException(
                Manifest.ManifestPath, graph.Name, "file",
                $"ONNX Runtime cannot load {graph.File} on {EffectiveDevice}: {e.Message}", e);
        }

        T wrapper;
        try
        {
            Manifest.ValidateSession(graph, session);
            wrapper = wrap(Manifest, graph, model, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        _graphs.Add(wrapper);
        return wrapper;
    }

    // The kind fixes which extra inputs a UNet takes (FORMAT.md table); a mismatch means a mislabelled model.
    private void CheckVariant(string kind, UNetGraph unet)
    {
        var superRes = kind is UpsampleKind or UpsampleInpaintKind;
        var inpaint = kind is BaseInpaintKind or UpsampleInpaintKind;
        if (unet.HasLowRes != superRes || unet.HasInpaint != inpaint)
        {
            throw new ModelManifestException(
                Manifest.ManifestPath, unet.Name, "inputs",
                $"{kind} UNets take {DescribeExtras(superRes, inpaint)}, " +
                $"but this graph takes {DescribeExtras(unet.HasLowRes, unet.HasInpaint)}");
        }
    }

    private static string DescribeExtras(bool lowRes, bool inpaint) => (lowRes, inpaint) switch
    {
        (false, false) => "no extra inputs",
        (true, false) => "low_res",
        (false, true) => "inpaint_image and inpaint_mask",
        (true, true) => "low_res, inpaint_image and inpaint_mask",
    };

    private void CheckTextWidths(TextEncoderGraph? text, UNetGraph? unet)
    {
        if (text is null || unet is null)
        {
            return;
        }

        if (text.ProjectionWidth != unet.ProjectionWidth || text.Width != unet.TextWidth
            || text.ContextLength != unet.ContextLength)
        {
            throw new ModelManifestException(
                Manifest.ManifestPath, unet.Name, "inputs",
                $"expected xf_proj [batch, {text.ProjectionWidth}] and " +
                $"xf_out [batch, {text.Width}, {text.ContextLength}] as {text.Name} produces them, " +
                $"got xf_proj [batch, {unet.ProjectionWidth}] and " +
                $"xf_out [batch, {unet.TextWidth}, {unet.ContextLength}]");
        }
    }
}
