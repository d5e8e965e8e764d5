using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Glide.Imaging;
using Glide.Models;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Tokenization;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Cli;

/// <summary><c>glide generate "prompt" -o out.png</c>: the text-to-image cascade to PNG files.</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var prompt = new Argument<string>("prompt") { Description = "What to draw (\"\" generates unconditionally)." };
        var outputPath = new Option<string?>("--output", "-o")
        {
            Description = "PNG path (default glide.png); with --count > 1 the index is added (out-0.png, out-1.png, …).",
        };
        var outputDir = new Option<string?>("--output-dir")
        {
            Description = "Write glide-<seed>.png files into this existing folder instead of --output.",
        };
        var negative = new Option<string?>("--negative-prompt") { Description = "Steer away from this (replaces the empty unconditional prompt)." };
        var count = new Option<int>("--count", "-n") { Description = "Number of images.", DefaultValueFactory = _ => 1 };
        var seed = new Option<long>("--seed") { Description = "Seed of the first image; image k uses seed + k.", DefaultValueFactory = _ => 0 };
        var guidance = new Option<float>("--guidance") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => 3f };
        var baseSteps = new Option<string>("--base-steps") { Description = "Base respacing: \"100\", \"50\", \"ddim25\", …", DefaultValueFactory = _ => "100" };
        var upsampleSteps = new Option<string>("--upsample-steps") { Description = "Upsampler respacing.", DefaultValueFactory = _ => "fast27" };
        var modelDir = new Option<string?>("--model-dir") { Description = "Exported model directory (default: the bundled tiny test model)." };
        var device = new Option<string>("--device") { Description = "cpu or cuda (falls back to cpu when CUDA cannot load).", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var noiseFrom = new Option<string?>("--noise-from") { Description = "Base-stage noise .npy (S+1, N, 3, 64, 64) instead of seeded noise, to reproduce a reference run." };
        var upsampleNoiseFrom = new Option<string?>("--upsample-noise-from") { Description = "Upsampler noise .npy (x_T only is enough)." };

        var command = new Command("generate", "Generate images from a prompt (64×64 base + 256×256 upsampler).")
        {
            prompt, outputPath, outputDir, negative, count, seed, guidance, baseSteps, upsampleSteps, modelDir, device, noiseFrom, upsampleNoiseFrom,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(outputPath) is not null && result.GetValue(outputDir) is not null)
            {
                result.AddError("give either --output or --output-dir, not both");
            }
        });
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Execute(
            new GenerationRequest
            {
                Prompt = parseResult.GetValue(prompt)!,
                NegativePrompt = parseResult.GetValue(negative),
                Count = parseResult.GetValue(count),
                Seed = parseResult.GetValue(seed),
                GuidanceScale = parseResult.GetValue(guidance),
                BaseSteps = parseResult.GetValue(baseSteps)!,
                UpsampleSteps = parseResult.GetValue(upsampleSteps)!,
            },
            new Settings(
                parseResult.GetValue(outputPath),
                parseResult.GetValue(outputDir),
                parseResult.GetValue(modelDir),
                parseResult.GetValue(device) == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu,
                parseResult.GetValue(noiseFrom),
                parseResult.GetValue(upsampleNoiseFrom)),
            output,
            error,
            cancellationToken)));
        return command;
    }

    internal sealed record Settings(
        string? OutputPath, string? OutputDirectory, string? ModelDirectory, ExecutionDevice Device, string? NoiseFrom, string? UpsampleNoiseFrom);

    public static int Execute(
        GenerationRequest request, Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            request.Validate();
            var outputs = settings.OutputDirectory is { } folder
                ? FolderPaths(folder, request)
                : OutputPaths(settings.OutputPath ?? "glide.png", request.Count);
            var directory = settings.ModelDirectory ?? DefaultModel.Directory;
            if (settings.ModelDirectory is null)
            {
                output.WriteLine($"note: using {DefaultModel.Description}");
            }

            if (!Directory.Exists(directory))
            {
                error.WriteLine($"glide generate: model directory not found: {directory}");
                return ExitCodes.BadInput;
            }

            var baseNoise = settings.NoiseFrom is null ? null : new NpyNoiseSource(settings.NoiseFrom);
            var upsampleNoise = settings.UpsampleNoiseFrom is null ? null : new NpyNoiseSource(settings.UpsampleNoiseFrom);

            var clock = Stopwatch.StartNew();
            using var models = GlideModelSet.Load(
                directory, settings.Device, new GlideModelSetOptions { Models = ["base", "upsample"] });
            if (models.DeviceFallback is { } fallback)
            {
                error.WriteLine($"warning: {fallback}");
            }

            var loadSeconds = clock.Elapsed.TotalSeconds;
            var cascade = new GlideCascade(models, new GlideTokenizer());
            var progress = new ProgressPrinter(error, interactive: !Console.IsErrorRedirected);
            var result = cascade.Generate(request, progress, cancellationToken, baseNoise, upsampleNoise);
            if (result.PromptTruncated)
            {
                error.WriteLine("note: the prompt is longer than 128 tokens; only the first 128 were used");
            }

            foreach (var image in result.Images)
            {
                PngFile.Write(outputs[image.Index], image.Rgb, image.Width, image.Height);
                output.WriteLine($"wrote {outputs[image.Index]} (seed {image.Seed.ToString(CultureInfo.InvariantCulture)})");
            }

            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"time: load {loadSeconds:F1} s, text {result.StageSeconds[StageNames.Text]:F2} s, " +
                $"base {result.StageSeconds[StageNames.Base]:F1} s, upsample {result.StageSeconds[StageNames.Upsample]:F1} s, " +
                $"total {clock.Elapsed.TotalSeconds:F1} s on {models.EffectiveDevice.ToString().ToLowerInvariant()}"));
            return ExitCodes.Success;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("glide generate: canceled; no image was written");
            return ExitCodes.Canceled;
        }
        catch (Exception e) when (e is ArgumentException or ModelManifestException or NpyFormatException
                                      or IOException or UnauthorizedAccessException or OnnxRuntimeException)
        {
            error.WriteLine($"glide generate: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>glide-&lt;seed&gt;.png per image in an existing folder.</summary>
    private static string[] FolderPaths(string folder, GenerationRequest request)
    {
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the output folder does not exist: {folder}");
        }

        return [.. request.Seeds().Select(seed => Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"glide-{seed}.png")))];
    }

    /// <summary>One path per image; refuses an output folder that does not exist before any work starts.</summary>
    private static string[] OutputPaths(string path, int count)
    {
        if (string.IsNullOrWhiteSpace(path) || Directory.Exists(path))
        {
            throw new ArgumentException($"--output must be a PNG file path, got '{path}'");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the output folder does not exist: {folder}");
        }

        if (count == 1)
        {
            return [path];
        }

        var stem = Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, Path.GetFileNameWithoutExtension(path));
        var extension = Path.HasExtension(path) ? Path.GetExtension(path) : ".png";
        return [.. Enumerable.Range(0, count).Select(k => $"{stem}-{k}{extension}")];
    }
}
