using System.CommandLine;
using System.Globalization;
using Glide.Diffusion;
using Glide.Evaluation;
using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Tokenization;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Cli;

/// <summary>
/// <c>glide eval --captions file.jsonl</c>: generates an image per held-out caption under each setting (guidance
/// scales, with and without CLIP reranking), checks each with the deterministic <see cref="SceneAnalyzer"/> and
/// prints colour, shape and all-correct accuracy per setting.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error, DefaultModel defaultModel)
    {
        var captions = new Option<string>("--captions")
        {
            Description = "Evaluation captions, JSON Lines: {\"id\", \"caption\", \"background\", \"objects\": [{\"shape\", \"colour\", \"region\", \"size\"}]}.",
            Required = true,
        };
        var modelDir = new Option<string?>("--model-dir") { Description = "Exported model directory (default: the bundled model)." };
        var guidance = new Option<string>("--guidance")
        {
            Description = "Classifier-free guidance scales to compare, comma-separated (e.g. 1,3).",
            DefaultValueFactory = _ => "3",
        };
        var candidates = new Option<int?>("--candidates")
        {
            Description = "Also evaluate best-of-N: sample N candidates per caption and keep the best --keep by noised-CLIP " +
                          "score (needs the model's clip graphs), next to plain sampling of --keep images.",
        };
        var keep = new Option<int?>("--keep") { Description = "With --candidates: images kept (and analyzed) per caption (default 1)." };
        var baseSteps = new Option<string>("--base-steps") { Description = "Base respacing: \"50\", \"100\", \"ddim25\", …", DefaultValueFactory = _ => "50" };
        var upsample = new Option<bool>("--upsample") { Description = "Run the full cascade and analyze the 256×256 images (default: the 64×64 base output)." };
        var upsampleSteps = new Option<string>("--upsample-steps") { Description = "Upsampler respacing, with --upsample.", DefaultValueFactory = _ => "fast27" };
        var upsampleSampler = CascadeOptions.UpsampleSampler();
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N captions." };
        var seed = new Option<long>("--seed") { Description = "Seed of caption 0; caption i uses seed + i.", DefaultValueFactory = _ => 0 };
        var saveDir = new Option<string?>("--save-dir") { Description = "Write every analyzed image here as <setting>-<id>.png (created if missing)." };
        var json = new Option<string?>("--json") { Description = "Write the full per-caption results to this JSON file." };
        var device = new Option<string>("--device") { Description = "cpu or cuda (falls back to cpu when CUDA cannot load).", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");

        var command = new Command("eval", "Measure how often generated images show the captioned colours and shapes.")
        {
            captions, modelDir, guidance, candidates, keep, baseSteps, upsample, upsampleSteps, upsampleSampler, limit, seed, saveDir, json, device,
        };
        command.Validators.Add(result =>
        {
            var candidateCount = result.GetValue(candidates);
            var keepCount = result.GetValue(keep);
            if (candidateCount is null && keepCount is not null)
            {
                result.AddError("--keep needs --candidates (the number of candidates to rerank)");
            }
            else if (candidateCount is < 1 or > GenerationRequest.MaxCount)
            {
                result.AddError($"--candidates must be between 1 and {GenerationRequest.MaxCount}, got {candidateCount}");
            }
            else if (keepCount is { } k && (k < 1 || k > candidateCount))
            {
                result.AddError($"--keep must be between 1 and --candidates ({candidateCount}), got {k}");
            }

            if (result.GetValue(limit) is < 1)
            {
                result.AddError($"--limit must be at least 1, got {result.GetValue(limit)}");
            }
        });
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Execute(
            new Settings(
                parseResult.GetValue(captions)!,
                parseResult.GetValue(modelDir),
                parseResult.GetValue(guidance)!,
                parseResult.GetValue(candidates),
                parseResult.GetValue(candidates) is null ? null : parseResult.GetValue(keep) ?? 1,
                parseResult.GetValue(baseSteps)!,
                parseResult.GetValue(upsample),
                parseResult.GetValue(upsampleSteps)!,
                CascadeOptions.UpsampleSamplerOf(parseResult, upsampleSampler),
                parseResult.GetValue(limit),
                parseResult.GetValue(seed),
                parseResult.GetValue(saveDir),
                parseResult.GetValue(json),
                parseResult.GetValue(device) == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu),
            defaultModel,
            output,
            error,
            cancellationToken)));
        return command;
    }

    internal sealed record Settings(
        string CaptionsPath,
        string? ModelDirectory,
        string Guidance,
        int? Candidates,
        int? Keep,
        string BaseSteps,
        bool Upsample,
        string UpsampleSteps,
        SamplerKind? UpsampleSampler,
        int? Limit,
        long Seed,
        string? SaveDirectory,
        string? JsonPath,
        ExecutionDevice Device);

    public static int Execute(
        Settings settings, DefaultModel defaultModel, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var evalSettings = EvalSettings(settings);
            if (!File.Exists(settings.CaptionsPath))
            {
                error.WriteLine($"glide eval: captions file not found: {settings.CaptionsPath}");
                return ExitCodes.BadInput;
            }

            var captions = EvalCaptionReader.Read(settings.CaptionsPath);
            if (settings.Limit is { } limit && limit < captions.Count)
            {
                captions = [.. captions.Take(limit)];
            }

            var directory = defaultModel.Choose(settings.ModelDirectory, output);

            if (!Directory.Exists(directory))
            {
                error.WriteLine($"glide eval: model directory not found: {directory}");
                return ExitCodes.BadInput;
            }

            var reranking = settings.Candidates is not null;
            if (reranking && !ModelManifest.Load(directory, verifyHashes: false).Models.Values.Any(m => m.Kind == "clip"))
            {
                error.WriteLine(
                    $"glide eval: --candidates reranks with noised CLIP, but the model directory {directory} has no " +
                    "clip graphs (clip.text, clip.image); export the clip model too, or leave out --candidates/--keep");
                return ExitCodes.BadInput;
            }

            CheckOutputs(settings);
            using var models = GlideModelSet.Load(
                directory, settings.Device,
                new GlideModelSetOptions { Models = ModelKinds(settings.Upsample, reranking) });
            if (models.DeviceFallback is { } fallback)
            {
                error.WriteLine($"warning: {fallback}");
            }

            var tokenizer = new GlideTokenizer();
            var generator = new EvalImageGenerator(models, tokenizer, reranking ? new ClipTokenizer() : null);
            foreach (var setting in evalSettings.Where(s => s.Keep is not null))
            {
                generator.KeepPlainSamplesFor(setting); // its first --keep candidates are the plain setting's images
            }

            var runner = new EvalRunner(generator);
            var results = new List<EvalSettingResult>();
            foreach (var setting in evalSettings)
            {
                var reranked = setting.Keep is { } k
                    ? string.Create(CultureInfo.InvariantCulture, $" (best {k} of {setting.Count} by CLIP)")
                    : string.Empty;
                error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"eval {setting.Name}: {captions.Count} captions, {setting.ImagesPerCaption} image(s) each{reranked}"));
                results.Add(runner.Run(
                    setting, captions, settings.Seed,
                    result => CaptionDone(setting, result, captions.Count, settings.SaveDirectory, error),
                    progress: null, cancellationToken));
            }

            EvalTable.Write(output, results);
            if (settings.JsonPath is { } jsonPath)
            {
                EvalReportWriter.Write(
                    jsonPath, settings, directory, settings.UpsampleSampler ?? models.Manifest.Sampling.UpsampleSamplerKind,
                    results);
                output.WriteLine($"wrote {jsonPath}");
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("glide eval: canceled");
            return ExitCodes.Canceled;
        }
        catch (Exception e) when (e is ArgumentException or EvalCaptionsException or ModelManifestException
                                      or NpyFormatException or IOException or UnauthorizedAccessException
                                      or OnnxRuntimeException)
        {
            error.WriteLine($"glide eval: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>The image's file name under --save-dir: &lt;setting&gt;-&lt;id&gt;.png, -&lt;k&gt; added for
    /// several images per caption.</summary>
    public static string ImageFileName(EvalSetting setting, EvalCaption caption, int position)
    {
        var id = string.Concat(caption.Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var suffix = setting.ImagesPerCaption > 1 ? $"-{position.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        return $"{setting.Name}-{id}{suffix}.png";
    }

    /// <summary>Each guidance scale plain; with --candidates also reranked, the plain run sampling --keep images.</summary>
    private static List<EvalSetting> EvalSettings(Settings settings)
    {
        var list = new List<EvalSetting>();
        foreach (var scale in ParseGuidance(settings.Guidance))
        {
            var plain = new EvalSetting
            {
                GuidanceScale = scale,
                Count = settings.Keep ?? 1,
                BaseSteps = settings.BaseSteps,
                Upsample = settings.Upsample,
                UpsampleSteps = settings.UpsampleSteps,
                UpsampleSampler = settings.UpsampleSampler,
            };
            plain.Request(string.Empty, 0).Validate();
            list.Add(plain);
            if (settings.Candidates is { } candidates)
            {
                list.Add(plain with { Count = candidates, Keep = settings.Keep });
            }
        }

        return list;
    }

    private static List<float> ParseGuidance(string text)
    {
        var scales = new List<float>();
        foreach (var part in text.Split(','))
        {
            if (!float.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale)
                || !float.IsFinite(scale))
            {
                throw new ArgumentException($"--guidance takes comma-separated numbers such as 1,3; '{part.Trim()}' is not one");
            }

            if (scales.Contains(scale))
            {
                throw new ArgumentException($"--guidance names {part.Trim()} twice");
            }

            scales.Add(scale);
        }

        return scales;
    }

    private static List<string> ModelKinds(bool upsample, bool reranking)
    {
        var kinds = new List<string> { "base" };
        if (upsample)
        {
            kinds.Add("upsample");
        }

        if (reranking)
        {
            kinds.Add("clip");
        }

        return kinds;
    }

    /// <summary>Refuses a --json folder that does not exist and creates --save-dir, before any image is made.</summary>
    private static void CheckOutputs(Settings settings)
    {
        if (settings.JsonPath is { } json)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(json))!;
            if (!Directory.Exists(folder) || Directory.Exists(json))
            {
                throw new ArgumentException($"--json must be a file path in an existing folder, got '{json}'");
            }
        }

        if (settings.SaveDirectory is { } save)
        {
            Directory.CreateDirectory(save);
        }
    }

    private static void CaptionDone(
        EvalSetting setting, EvalCaptionResult result, int total, string? saveDirectory, TextWriter error)
    {
        for (var k = 0; k < result.Images.Count; k++)
        {
            var image = result.Images[k];
            if (saveDirectory is not null)
            {
                var rgb = image.Image.Image;
                PngFile.Write(Path.Combine(saveDirectory, ImageFileName(setting, result.Caption, k)), rgb.Pixels, rgb.Width, rgb.Height);
            }
        }

        var verdicts = result.Images.Select(i => i.Analysis.AllCorrect
            ? "correct"
            : string.Join(
                ", ",
                i.Analysis.Objects.Select(o =>
                    $"{Describe(o.Expected.Colour.Name, o.Expected.Shape)} → " +
                    (o.Found ? Describe(o.DetectedColour!.Name, o.DetectedShape) : "nothing"))));
        error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"eval {setting.Name}: {result.Index + 1}/{total} {result.Caption.Id}: {string.Join("; ", verdicts)}"));
    }

    private static string Describe(string colour, ShapeKind? shape) =>
        $"{colour} {(shape is { } s ? ShapeKindNames.ToName(s) : "unknown shape")}";
}
