using System.Globalization;
using Glide.Pipeline;
using GlideFunctions.Api;
using GlideFunctions.Bench.Azurite;

namespace GlideFunctions.Bench;

/// <summary>Everything one bench run measured and derived; printed by <see cref="BenchReport"/> and written as JSON.</summary>
internal sealed record BenchResult
{
    public required int Cores { get; init; }

    public required string? LoadAverageStart { get; init; }

    public required string? LoadAverageEnd { get; init; }

    public required string ModelDirectory { get; init; }

    public required string ModelConfig { get; init; }

    public required string Device { get; init; }

    public required string Azurite { get; init; }

    public required BenchSettings Settings { get; init; }

    public required int BaseStepCount { get; init; }

    public required int UpsampleStepCount { get; init; }

    public required int Chunks { get; init; }

    /// <summary>
    /// Activities the in-process host runs at once (its in-memory backend allows one per core; the app's host.json
    /// sets <c>maxConcurrentActivityFunctions</c> 2 per worker).
    /// </summary>
    public required int HostActivitySlots { get; init; }

    public required double SignalIntervalSeconds { get; init; }

    public required int IdenticalImages { get; init; }

    public required int ComparedImages { get; init; }

    public required IReadOnlyList<RepeatFigures> Repeats { get; init; }

    /// <summary>The direct path's text-encoding seconds (median): the text part of the critical-path compute.</summary>
    public required double DirectTextSeconds { get; init; }

    public required IReadOnlyList<StepTiming> Steps { get; init; }

    /// <summary>Base steps × base step time (batch 2N) + upsample steps × upsampler step time (batch N).</summary>
    public required double DirectModelSeconds { get; init; }

    /// <summary>One chunk's base steps (batch 2C) + one image's upsampler steps (batch 1).</summary>
    public required double PipelineCriticalModelSeconds { get; init; }

    /// <summary>Every chunk's base steps + every image's upsampler steps.</summary>
    public required double PipelineSummedModelSeconds { get; init; }

    public required StorageCosts Storage { get; init; }

    public required BlobTraffic MeasuredTraffic { get; init; }

    public required BlobTraffic FullSizeTraffic { get; init; }

    public required MeasuredFixedParts FixedParts { get; init; }

    public required IReadOnlyList<FullSizeScenario> FullSize { get; init; }

    /// <summary>Upper bound of the pipeline's per-second cost while a stage computes: one signal cycle per interval.</summary>
    public double SignalPercentBound => 100 * Storage.SignalCycleSeconds / SignalIntervalSeconds;

    public double FixedTargetSeconds => 1.0;

    public double ProportionalTargetPercent => 2.0;

    public double WorstFixedParallel => FullSize.Max(s => s.FixedParallel);

    public double WorstFixedSerial => FullSize.Max(s => s.FixedSerial);

    public bool FixedTargetMet => WorstFixedParallel < FixedTargetSeconds;

    public bool ProportionalTargetMet => SignalPercentBound < ProportionalTargetPercent;

    public Summary Figure(Func<RepeatFigures, double> figure) => Summary.Of(Repeats.Select(figure));

    /// <summary><paramref name="figure"/> as a percentage of the direct wall, per repeat.</summary>
    public Summary PercentOfDirect(Func<RepeatFigures, double> figure) =>
        Summary.Of(Repeats.Select(r => 100 * figure(r) / r.DirectWall));
}

/// <summary>Starts Azurite and the pipeline, warms both paths up, alternates them, then times models and storage.</summary>
internal static class BenchRunner
{
    public static async Task<BenchResult> RunAsync(BenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var loadStart = LoadAverage();
        log.WriteLine("starting Azurite (in memory) ...");
        await using var azurite = await AzuriteProcess.StartAsync(settings.AzuritePath, cancellationToken)
            .ConfigureAwait(false);
        log.WriteLine(
            $"Azurite {azurite.Executable} on ports {string.Join(", ", azurite.Ports)}; " +
            "starting the Durable in-process host ...");
        await using var host = await PipelineHost.StartAsync(
            azurite.ConnectionString, $"bench-{Guid.NewGuid():N}", settings, cancellationToken).ConfigureAwait(false);

        var models = host.Models.Models;
        var cascade = new GlideCascade(models, host.Models.Tokenizer);
        var input = new GenerationInput
        {
            Prompt = settings.Prompt,
            NumCandidates = settings.Candidates,
            // Every candidate is upsampled, as the direct cascade does: both paths do the same model work.
            NumOutputs = settings.Candidates,
            BaseSteps = settings.BaseSteps,
            UpsampleSteps = settings.UpsampleSteps,
            Seed = settings.Seed,
        };
        // The very request the pipeline's plan stands for (GenerationPlan.ToRequest), so both paths run the same work.
        var request = host.Launcher.Plan("bench-request", input, apiBaseUrl: null).ToRequest();
        var session = Guid.NewGuid().ToString("N")[..8];

        for (var w = 0; w < settings.Warmup; w++)
        {
            log.WriteLine($"warm-up {w + 1}/{settings.Warmup}: direct, then pipeline ...");
            _ = DirectRun.Run(cascade, request);
            _ = await host.RunAsync($"bench-{session}-warmup-{w}", input, serial: false, cancellationToken)
                .ConfigureAwait(false);
        }

        var directs = new List<DirectRun>();
        var pipelines = new List<PipelineRun>();
        var serials = new List<PipelineRun>();
        var identical = 0;
        var compared = 0;
        for (var r = 0; r < settings.Repeat; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var direct = DirectRun.Run(cascade, request);
            var pipeline = await host.RunAsync($"bench-{session}-{r}", input, serial: false, cancellationToken)
                .ConfigureAwait(false);
            var serial = await host.RunAsync($"bench-{session}-{r}-serial", input, serial: true, cancellationToken)
                .ConfigureAwait(false);
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"repeat {r + 1}/{settings.Repeat}: direct {direct.Wall:F3} s, pipeline {pipeline.Wall:F3} s, " +
                $"pipeline one activity at a time {serial.Wall:F3} s"));
            directs.Add(direct);
            pipelines.Add(pipeline);
            serials.Add(serial);
            if (r == 0)
            {
                foreach (var image in pipeline.Images)
                {
                    compared++;
                    var png = await ReadAsync(host, image.ImageBlob, cancellationToken).ConfigureAwait(false);
                    if (png.AsSpan().SequenceEqual(direct.Pngs[image.Index]))
                    {
                        identical++;
                    }
                }
            }
        }

        var directText = Stats.Median(directs.Select(d => d.StageSeconds[StageNames.Text]));
        var repeats = Enumerable.Range(0, directs.Count)
            .Select(i => RepeatFigures.From(directs[i], pipelines[i], serials[i], directText))
            .ToList();

        log.WriteLine("timing UNet steps ...");
        var n = settings.Candidates;
        var c = Math.Min(settings.ChunkSize, n);
        var baseBatches = new[] { n, c, 1 }.Distinct().Select(images => ModelSteps.Base(models, images)).ToList();
        var upsampleBatches = new[] { n, 1 }.Distinct().Select(images => ModelSteps.Upsample(models, images)).ToList();
        double BaseStep(int images) => baseBatches.First(s => s.Batch == 2 * images).Seconds;
        double UpsampleStep(int images) => upsampleBatches.First(s => s.Batch == images).Seconds;
        var baseStepCount = ModelSteps.BaseSteps(settings.BaseSteps);
        var upsampleStepCount = ModelSteps.UpsampleSteps(settings.UpsampleSteps);
        var chunks = (n + settings.ChunkSize - 1) / settings.ChunkSize;

        log.WriteLine("timing blob writes and reads on Azurite ...");
        var storage = await StorageProbe.MeasureAsync(host.Store, host.Signals, 10, cancellationToken).ConfigureAwait(false);
        var pngBytes = (long)Stats.Median(directs[0].Pngs.Select(p => (double)p.Length));
        var shapes = TextShapes.Of(models);
        var parts = new MeasuredFixedParts(
            Stats.Median(repeats.Select(r => r.SerialIdle)),
            Stats.Median(repeats.Select(r => r.TextIo)),
            Stats.Median(repeats.Select(r => r.BaseIo)),
            Math.Max(0, Stats.Median(repeats.Select(r => r.UpsampleIo - r.PngPerImage))),
            storage.ProgressWriteSeconds,
            pngBytes);

        return new BenchResult
        {
            Cores = Environment.ProcessorCount,
            LoadAverageStart = loadStart,
            LoadAverageEnd = LoadAverage(),
            ModelDirectory = settings.ModelDirectory,
            ModelConfig = models.Manifest.Config,
            Device = models.EffectiveDevice.ToString().ToLowerInvariant(),
            Azurite = azurite.Executable,
            Settings = settings,
            BaseStepCount = baseStepCount,
            UpsampleStepCount = upsampleStepCount,
            Chunks = chunks,
            HostActivitySlots = Environment.ProcessorCount,
            SignalIntervalSeconds = host.Options.SignalInterval.TotalSeconds,
            IdenticalImages = identical,
            ComparedImages = compared,
            Repeats = repeats,
            DirectTextSeconds = directText,
            Steps = [.. baseBatches, .. upsampleBatches],
            DirectModelSeconds = (baseStepCount * BaseStep(n)) + (upsampleStepCount * UpsampleStep(n)),
            PipelineCriticalModelSeconds = (baseStepCount * BaseStep(c)) + (upsampleStepCount * UpsampleStep(1)),
            PipelineSummedModelSeconds = (chunks * baseStepCount * BaseStep(c)) + (n * upsampleStepCount * UpsampleStep(1)),
            Storage = storage,
            MeasuredTraffic = BlobTraffic.All(shapes, n, settings.ChunkSize, n, pngBytes),
            FullSizeTraffic = BlobTraffic.All(TextShapes.FullSize, n, settings.ChunkSize, n, pngBytes),
            FixedParts = parts,
            FullSize = FullSizeEstimate.Scenarios(settings, shapes, parts, storage),
        };
    }

    private static async Task<byte[]> ReadAsync(PipelineHost host, string blob, CancellationToken cancellationToken)
    {
        var stream = await host.Store.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            return copy.ToArray();
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to show how busy the machine was.</summary>
    private static string? LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
