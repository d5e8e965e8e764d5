using System.CommandLine;
using System.Globalization;
using Glide.Diffusion;
using Glide.Testing;

namespace GlideFunctions.Bench;

/// <summary>
/// <c>glide-functions-bench</c>: the pipeline's overhead (issue 5). One generation through the Functions pipeline (the
/// app's DI registrations, the real orchestrator and activities in the Durable in-process host, every tensor and PNG
/// through Azurite) against the same request through <see cref="Glide.Pipeline.GlideCascade"/> in process, alternated
/// in one run; then model time alone (UNet steps), storage cost, and an estimate for the full-size models.
/// </summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var defaults = new BenchSettings { ModelDirectory = string.Empty };
        var modelDir = new Option<string?>("--model-dir")
        {
            Description = "Exported model directory (default: the tiny fixture, tests/fixtures/tiny).",
        };
        var candidates = Int("--candidates", "Base candidates per generation; every one is upsampled.", defaults.Candidates);
        var chunkSize = Int("--chunk-size", "Candidates per SampleBase activity (Glide:ChunkSize).", defaults.ChunkSize);
        var baseSteps = Text("--base-steps", "Base respacing.", defaults.BaseSteps);
        var upsampleSteps = Text("--upsample-steps", "Upsampler respacing.", defaults.UpsampleSteps);
        var repeat = Int("--repeat", "Timed generations per path, alternating direct and pipeline.", defaults.Repeat);
        var warmup = Int(
            "--warmup", "Untimed generations per path first (model load, ONNX Runtime first runs).", defaults.Warmup);
        var azurite = new Option<string?>("--azurite")
        {
            Description = "The azurite executable (default: AZURITE_PATH, .tools/azurite, then PATH).",
        };
        var json = new Option<string?>("--json") { Description = "Also write every figure as JSON to this file." };
        var prompt = Text("--prompt", "Prompt of the generation.", defaults.Prompt);
        var seed = new Option<long>("--seed")
        {
            Description = $"Seed of the first candidate. Default {defaults.Seed}.",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var fullBase = Seconds(
            "--full-base-step", "Full-size base step, batch 2 (README bench table).", defaults.FullBaseStepSeconds);
        var fullUpsample = Seconds(
            "--full-upsample-step",
            "Full-size upsampler step, batch 1 (README bench table).",
            defaults.FullUpsampleStepSeconds);

        var root = new RootCommand(
            "Pipeline overhead: a generation through the in-process Durable host + Azurite against the same work " +
            "through the core library, same run.")
        {
            modelDir, candidates, chunkSize, baseSteps, upsampleSteps, repeat, warmup, azurite, json, prompt, seed,
            fullBase, fullUpsample,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            var settings = defaults with
            {
                ModelDirectory = Path.GetFullPath(parse.GetValue(modelDir) ?? RepoRoot.Combine("tests", "fixtures", "tiny")),
                Candidates = parse.GetValue(candidates),
                ChunkSize = parse.GetValue(chunkSize),
                BaseSteps = parse.GetValue(baseSteps)!,
                UpsampleSteps = parse.GetValue(upsampleSteps)!,
                Repeat = parse.GetValue(repeat),
                Warmup = parse.GetValue(warmup),
                AzuritePath = parse.GetValue(azurite),
                JsonPath = parse.GetValue(json) is { } path ? Path.GetFullPath(path) : null,
                Prompt = parse.GetValue(prompt)!,
                Seed = parse.GetValue(seed),
                FullBaseStepSeconds = parse.GetValue(fullBase),
                FullUpsampleStepSeconds = parse.GetValue(fullUpsample),
            };
            return await ExecuteAsync(settings, output, error, cancellationToken).ConfigureAwait(false);
        });

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"glide-functions-bench: {parseError.Message}").ConfigureAwait(false);
            }

            return 2;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error })
            .ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(
        BenchSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Check(settings) is { } problem)
        {
            await error.WriteLineAsync($"glide-functions-bench: {problem}").ConfigureAwait(false);
            return 2;
        }

        BenchResult result;
        try
        {
            result = await BenchRunner.RunAsync(settings, error, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("glide-functions-bench: interrupted").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Azure.RequestFailedException
            or Glide.Models.ModelManifestException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            await error.WriteLineAsync($"glide-functions-bench: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        BenchReport.Print(result, output);
        if (settings.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, BenchReport.ToJson(result), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"figures written to {path}").ConfigureAwait(false);
        }

        return 0;
    }

    private static string? Check(BenchSettings s)
    {
        if (!File.Exists(Path.Combine(s.ModelDirectory, "manifest.json")))
        {
            return $"no manifest.json in the model directory {s.ModelDirectory}";
        }

        if (s.Candidates is < 1 or > Api.GenerationInput.MaxCandidates)
        {
            return $"--candidates must be between 1 and {Api.GenerationInput.MaxCandidates}, got {s.Candidates}";
        }

        if (s.ChunkSize is < 1 or > 16)
        {
            return $"--chunk-size must be between 1 and 16 (GlideOptions.ChunkSize), got {s.ChunkSize}";
        }

        if (s.Repeat < 1 || s.Warmup < 0)
        {
            return $"--repeat must be at least 1 and --warmup at least 0, got {s.Repeat} and {s.Warmup}";
        }

        if (!(s.FullBaseStepSeconds > 0) || !(s.FullUpsampleStepSeconds > 0))
        {
            return "--full-base-step and --full-upsample-step must be positive";
        }

        foreach (var (name, spec) in new[] { ("--base-steps", s.BaseSteps), ("--upsample-steps", s.UpsampleSteps) })
        {
            try
            {
                Respacing.Parse(spec);
            }
            catch (ArgumentException e)
            {
                return $"{name}: {e.Message}";
            }
        }

        return null;
    }

    private static Option<int> Int(string name, string description, int value) =>
        new(name) { Description = $"{description} Default {value}.", DefaultValueFactory = _ => value };

    private static Option<string> Text(string name, string description, string value) =>
        new(name) { Description = $"{description} Default \"{value}\".", DefaultValueFactory = _ => value };

    private static Option<double> Seconds(string name, string description, double value) =>
        new(name)
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"{description} Default {value} s."),
            DefaultValueFactory = _ => value,
        };
}
