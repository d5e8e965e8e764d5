using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Cli;

/// <summary>
/// <c>glide bench --model-dir DIR</c>: median time of one base UNet step (batch 2 = one CFG image, 64×64) and one
/// upsampler step (batch 1, 256×256) in ONNX Runtime, the sampler's own math per step, peak memory, and, in the
/// same run, the exporter's PyTorch modules on the same shapes (<c>python3 -m glide_export bench</c>), as a ratio.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error, DefaultModel defaultModel)
    {
        var modelDir = new Option<string?>("--model-dir") { Description = "Exported model directory (default: the bundled glide-shapes model)." };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per graph (after one warm-up).", DefaultValueFactory = _ => 5 };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var noTorch = new Option<bool>("--no-torch") { Description = "Skip the PyTorch baseline." };
        var python = new Option<string>("--python")
        {
            Description = "Python with torch for the baseline.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PYTHON") ?? "/usr/bin/python3",
        };
        var command = new Command("bench", "Time UNet steps in ONNX Runtime against PyTorch on the same machine.")
        {
            modelDir, repeats, device, noTorch, python,
        };
        command.SetAction(parseResult => Execute(
            parseResult.GetValue(modelDir) ?? defaultModel.Directory,
            parseResult.GetValue(repeats),
            parseResult.GetValue(device) == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu,
            parseResult.GetValue(noTorch) ? null : parseResult.GetValue(python),
            output,
            error));
        return command;
    }

    private sealed record GraphTiming(string Graph, int Batch, double[] Seconds, double SamplerSeconds)
    {
        public double Median => Median(Seconds);
    }

    public static int Execute(
        string directory, int repeats, ExecutionDevice device, string? python, TextWriter output, TextWriter error)
    {
        if (repeats < 1)
        {
            error.WriteLine("glide bench: --repeats must be at least 1");
            return ExitCodes.BadInput;
        }

        if (!Directory.Exists(directory))
        {
            error.WriteLine($"glide bench: model directory not found: {directory}");
            return ExitCodes.BadInput;
        }

        var timings = new List<GraphTiming>();
        ExecutionDevice effective;
        try
        {
            using var models = GlideModelSet.Load(
                directory, device, new GlideModelSetOptions { Models = ["base", "upsample"], VerifyHashes = false });
            effective = models.EffectiveDevice;
            if (models.DeviceFallback is { } fallback)
            {
                error.WriteLine($"warning: {fallback}");
            }

            timings.Add(TimeBase(models, repeats));
            timings.Add(TimeUpsample(models, repeats));
        }
        catch (Exception e) when (e is ModelManifestException or OnnxRuntimeException or ArgumentException)
        {
            error.WriteLine($"glide bench: {e.Message}");
            return ExitCodes.BadInput;
        }

        var peakMegabytes = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var torch = python is null ? null : RunTorch(python, directory, repeats, error);

        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"machine: {Environment.ProcessorCount} cores, {effective.ToString().ToLowerInvariant()}, {directory}"));
        output.WriteLine("graph            batch   ORT median   sampler math   PyTorch median   ORT/PyTorch");
        foreach (var t in timings)
        {
            var torchMedian = torch?.TryGetValue(t.Graph, out var m) == true ? m : (double?)null;
            output.WriteLine(string.Create(c,
                $"{t.Graph,-16} {t.Batch,5}   {t.Median,8:F3} s   {t.SamplerSeconds * 1000,7:F2} ms ({100 * t.SamplerSeconds / t.Median,4:F2}%)" +
                $"   {(torchMedian is { } tm ? $"{tm,10:F3} s" : "         n/a")}" +
                $"   {(torchMedian is { } r ? $"{t.Median / r,11:F2}" : "        n/a")}"));
        }

        output.WriteLine(string.Create(c, $"peak working set (ORT part): {peakMegabytes:F0} MiB"));
        return ExitCodes.Success;
    }

    private static GraphTiming TimeBase(GlideModelSet models, int repeats)
    {
        var unet = models.BaseUNet ?? throw new ArgumentException("the model directory has no base.unet graph");
        var text = models.BaseText!.Encode(new long[2 * 128], new bool[2 * 128], 2).ForGuidance(1);
        var x = Noise(2 * unet.InputRowLength);
        var output = new float[2 * unet.OutputRowLength];
        var seconds = Time(repeats, () => unet.Run(x, [500, 500], text, null, output));

        // The sampler's own work per step for one CFG image: guidance combine + one ancestral step.
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "100");
        var sampler = new AncestralSampler(schedule);
        var guided = new float[unet.OutputRowLength];
        var row = x.AsSpan(0, unet.InputRowLength).ToArray();
        var stepNoise = Noise(unet.InputRowLength);
        var pred = new float[unet.InputRowLength];
        var math = Median(Time(Math.Max(20, repeats), () =>
        {
            ClassifierFreeGuidance.Combine(output.AsSpan(0, unet.OutputRowLength), output.AsSpan(unet.OutputRowLength), 3f, guided);
            sampler.Step(50, guided, row, stepNoise, row, pred);
        }));
        return new GraphTiming("base.unet", 2, seconds, math);
    }

    private static GraphTiming TimeUpsample(GlideModelSet models, int repeats)
    {
        var unet = models.UpsampleUNet ?? throw new ArgumentException("the model directory has no upsample.unet graph");
        var text = models.UpsampleText!.Encode(new long[128], new bool[128], 1);
        var x = Noise(unet.InputRowLength);
        var lowRes = new float[3 * unet.LowResSize * unet.LowResSize];
        var extras = new Models.UNetExtras { LowRes = lowRes };
        var output = new float[unet.OutputRowLength];
        var seconds = Time(repeats, () => unet.Run(x, [500], text, extras, output));

        var sampler = new DdimSampler(DiffusionSchedule.Create(BetaSchedule.Linear, "fast27"));
        var row = x.ToArray();
        var pred = new float[unet.InputRowLength];
        var math = Median(Time(Math.Max(20, repeats), () => sampler.Step(10, output, row, [], 0f, row, pred)));
        return new GraphTiming("upsample.unet", 1, seconds, math);
    }

    private static float[] Noise(int length)
    {
        var values = new float[length];
        new PhiloxNoiseSource([0]).Fill(0, 0, values);
        return values;
    }

    private static double[] Time(int repeats, Action action)
    {
        action(); // warm-up: session initialisation and buffer allocation are not part of a step
        var seconds = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return seconds;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The PyTorch medians per graph, or null (with a message) when the baseline cannot run.</summary>
    private static Dictionary<string, double>? RunTorch(string python, string directory, int repeats, TextWriter error)
    {
        var exportDir = FindExportDirectory();
        if (exportDir is null)
        {
            error.WriteLine("warning: src/export not found above the current directory; no PyTorch baseline");
            return null;
        }

        var start = new ProcessStartInfo(python)
        {
            WorkingDirectory = exportDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "-m", "glide_export", "bench", "--model-dir", Path.GetFullPath(directory),
                "--repeats", repeats.ToString(CultureInfo.InvariantCulture),
                "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            },
        };
        try
        {
            using var process = Process.Start(start)!;
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error.WriteLine($"warning: the PyTorch baseline failed (exit {process.ExitCode}): {stderr.Trim()}");
                return null;
            }

            using var json = JsonDocument.Parse(stdoutTask.Result);
            return json.RootElement.GetProperty("graphs").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetProperty("median_s").GetDouble());
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            error.WriteLine($"warning: no PyTorch baseline: {e.Message}");
            return null;
        }
    }

    private static string? FindExportDirectory()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "export", "glide_export");
            if (Directory.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate);
            }
        }

        return null;
    }
}
