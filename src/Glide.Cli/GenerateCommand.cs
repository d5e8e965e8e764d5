using System.CommandLine;
using System.Globalization;
using Glide.Models;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tokenization;

namespace Glide.Cli;

/// <summary><c>glide generate "prompt" -o out.png</c>: the text-to-image cascade to PNG files.</summary>
internal static class GenerateCommand
{
    private const string Name = "glide generate";

    public static Command Create(TextWriter output, TextWriter error, DefaultModel defaultModel)
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
        var negative = CascadeOptions.NegativePrompt();
        var count = CascadeOptions.Count();
        var candidates = new Option<int?>("--candidates")
        {
            Description = "Best-of-N: sample this many 64×64 candidates, score each against the prompt with noised CLIP " +
                          "and upsample only the best --keep (needs the model's clip graphs; instead of -n).",
        };
        var keep = new Option<int?>("--keep") { Description = "With --candidates: how many of the best to upsample (default 1)." };
        var seed = CascadeOptions.Seed();
        var guidance = new Option<float>("--guidance")
        {
            Description = "Classifier-free guidance scale, or with --guidance-mode clip the CLIP gradient scale (3.0 either way).",
            DefaultValueFactory = _ => 3f,
        };
        var guidanceMode = new Option<string>("--guidance-mode")
        {
            Description = "cfg: classifier-free guidance; clip: guide the base stage by the noised CLIP's gradient, no CFG " +
                          "(needs the model's clip graphs, clip.grad included).",
            DefaultValueFactory = _ => GuidanceModeNames.ClassifierFree,
        };
        guidanceMode.AcceptOnlyFromAmong([.. GuidanceModeNames.All]);
        var baseSteps = new Option<string>("--base-steps") { Description = "Base respacing: \"100\", \"50\", \"ddim25\", …", DefaultValueFactory = _ => "100" };
        var upsampleSteps = new Option<string>("--upsample-steps") { Description = "Upsampler respacing.", DefaultValueFactory = _ => "fast27" };
        var upsampleSampler = CascadeOptions.UpsampleSampler();
        var modelDir = new Option<string?>("--model-dir") { Description = "Exported model directory (default: the bundled glide-shapes model)." };
        var device = CascadeOptions.Device();
        var noiseFrom = new Option<string?>("--noise-from") { Description = "Base-stage noise .npy (S+1, N, 3, 64, 64) instead of seeded noise, to reproduce a reference run." };
        var upsampleNoiseFrom = new Option<string?>("--upsample-noise-from") { Description = "Upsampler noise .npy (x_T only is enough for ddim; ancestral takes every step's draw)." };

        var command = new Command("generate", "Generate images from a prompt (64×64 base + 256×256 upsampler).")
        {
            prompt, outputPath, outputDir, negative, count, candidates, keep, seed, guidance, guidanceMode, baseSteps, upsampleSteps, upsampleSampler, modelDir, device, noiseFrom, upsampleNoiseFrom,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(outputPath) is not null && result.GetValue(outputDir) is not null)
            {
                result.AddError("give either --output or --output-dir, not both");
            }

            var candidateCount = result.GetValue(candidates);
            var keepCount = result.GetValue(keep);
            if (candidateCount is null)
            {
                if (keepCount is not null)
                {
                    result.AddError("--keep needs --candidates (the number of candidates to rerank)");
                }

                return;
            }

            if (result.GetResult(count) is { Implicit: false })
            {
                result.AddError("give either -n/--count (no reranking) or --candidates/--keep (rerank), not both");
            }
            else if (candidateCount is < 1 or > GenerationRequest.MaxCount)
            {
                result.AddError($"--candidates must be between 1 and {GenerationRequest.MaxCount}, got {candidateCount}");
            }
            else if (keepCount is { } k && (k < 1 || k > candidateCount))
            {
                result.AddError($"--keep must be between 1 and --candidates ({candidateCount}), got {k}");
            }
        });
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Execute(
            new GenerationRequest
            {
                Prompt = parseResult.GetValue(prompt)!,
                NegativePrompt = parseResult.GetValue(negative),
                Count = parseResult.GetValue(candidates) ?? parseResult.GetValue(count),
                Keep = parseResult.GetValue(candidates) is null ? null : parseResult.GetValue(keep) ?? 1,
                Seed = parseResult.GetValue(seed),
                GuidanceScale = parseResult.GetValue(guidance),
                Guidance = GuidanceModeNames.Parse(parseResult.GetValue(guidanceMode)!),
                BaseSteps = parseResult.GetValue(baseSteps)!,
                UpsampleSteps = parseResult.GetValue(upsampleSteps)!,
                UpsampleSampler = CascadeOptions.UpsampleSamplerOf(parseResult, upsampleSampler),
            },
            new Settings(
                parseResult.GetValue(outputPath),
                parseResult.GetValue(outputDir),
                parseResult.GetValue(modelDir),
                CascadeOptions.DeviceOf(parseResult, device),
                parseResult.GetValue(noiseFrom),
                parseResult.GetValue(upsampleNoiseFrom)),
            defaultModel,
            output,
            error,
            cancellationToken)));
        return command;
    }

    internal sealed record Settings(
        string? OutputPath, string? OutputDirectory, string? ModelDirectory, ExecutionDevice Device, string? NoiseFrom, string? UpsampleNoiseFrom);

    public static int Execute(
        GenerationRequest request,
        Settings settings,
        DefaultModel defaultModel,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var console = new CascadeConsole(Name, output, error, defaultModel);
        return console.Run(() =>
        {
            request.Validate();
            var reranking = request.Keep is not null;
            var outputs = settings.OutputDirectory is { } folder
                ? FolderPaths(folder)
                : NumberedOutputPaths.For(settings.OutputPath ?? "glide.png", request.OutputCount);
            if (console.FindModelDirectory(settings.ModelDirectory) is not { } directory)
            {
                return ExitCodes.BadInput;
            }

            var baseNoise = settings.NoiseFrom is null ? null : new NpyNoiseSource(settings.NoiseFrom);
            var upsampleNoise = settings.UpsampleNoiseFrom is null ? null : new NpyNoiseSource(settings.UpsampleNoiseFrom);

            if (reranking && !HasClip(directory))
            {
                return console.Refuse(
                    $"--candidates reranks with noised CLIP, but the model directory {directory} has " +
                    "no clip graphs (clip.text, clip.image); export the clip model too, or use -n without reranking");
            }

            var clipGuided = request.Guidance == GuidanceMode.Clip;
            if (clipGuided && MissingClipGuidanceGraphs(directory) is { } problem)
            {
                return console.Refuse(problem);
            }

            using var models = console.LoadModels(
                directory, settings.Device,
                new GlideModelSetOptions
                {
                    Models = reranking || clipGuided ? ["base", "upsample", "clip"] : ["base", "upsample"],
                });
            var cascade = new GlideCascade(models, new GlideTokenizer());
            var result = cascade.Generate(request, console.Progress, cancellationToken, baseNoise, upsampleNoise);
            console.NotePromptTruncation(result.PromptTruncated);
            if (result.Rerank is { } rerank)
            {
                PrintScores(output, request, rerank);
            }

            foreach (var image in result.Images)
            {
                console.WriteImage(outputs?[image.Index] ?? SeedPath(settings.OutputDirectory!, image.Seed), image);
            }

            console.WriteTimes(result.StageSeconds, models.EffectiveDevice);
            return ExitCodes.Success;
        });
    }

    /// <summary>
    /// Refuses an output folder that does not exist before any work starts; images are named by seed
    /// (<see cref="SeedPath"/>), known for reranked images only once they are chosen, hence no paths here.
    /// </summary>
    private static string[]? FolderPaths(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the output folder does not exist: {folder}");
        }

        return null;
    }

    /// <summary>glide-&lt;seed&gt;.png in <paramref name="folder"/>.</summary>
    private static string SeedPath(string folder, long seed) =>
        Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"glide-{seed}.png"));

    /// <summary>Whether the model directory's manifest has a clip model (read without loading any graph).</summary>
    private static bool HasClip(string directory) =>
        ModelManifest.Load(directory, verifyHashes: false).Models.Values.Any(m => m.Kind == "clip");

    /// <summary>What the manifest lacks for CLIP guidance and what to do, or null when it has the graphs.</summary>
    private static string? MissingClipGuidanceGraphs(string directory)
    {
        var graphs = ModelManifest.Load(directory, verifyHashes: false).Graphs.Select(g => g.Name).ToHashSet();
        if (graphs.Contains("clip.text") && graphs.Contains("clip.grad"))
        {
            return null;
        }

        return graphs.Contains("clip.text")
            ? $"--guidance-mode clip needs the CLIP gradient graph clip.grad, but the model directory {directory} has " +
              "only clip.text and clip.image (exported before clip.grad existed); re-export the clip model, or use " +
              "--guidance-mode cfg"
            : $"--guidance-mode clip needs the clip graphs (clip.text, clip.image, clip.grad), but the model directory " +
              $"{directory} has none; export the clip model too (src/export: --models …,clip), or use --guidance-mode cfg";
    }

    /// <summary>Every candidate's score, rank and whether it was kept, in candidate order.</summary>
    private static void PrintScores(TextWriter output, GenerationRequest request, RerankResult rerank)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"rerank: noised-CLIP score (cosine similarity with the prompt at t = 0) of {request.Count} candidates, " +
            $"keeping the best {rerank.Kept.Count}:"));
        output.WriteLine("  candidate  seed                   score  rank");
        foreach (var candidate in rerank.Candidates)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {candidate.Candidate,9}  {request.SeedOf(candidate.Candidate),-20} {candidate.Score,7:F4}  " +
                $"{candidate.Rank + 1,4}{(candidate.Kept ? "  kept" : string.Empty)}"));
        }
    }
}
