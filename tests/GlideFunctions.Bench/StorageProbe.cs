using System.Diagnostics;
using Glide.Tensors;
using GlideFunctions.Storage;

namespace GlideFunctions.Bench;

/// <summary>Fixed and per-byte cost of one blob call through the app's <see cref="BlobTensorStore"/>: seconds = a + b·bytes.</summary>
internal sealed record BlobCost(double CallSeconds, double SecondsPerByte)
{
    public double SecondsFor(long bytes) => CallSeconds + (SecondsPerByte * bytes);
}

/// <summary>What the storage the pipeline runs on costs, measured on the bench's own Azurite.</summary>
/// <param name="Write">An .npy upload (<see cref="BlobTensorStore.WriteAsync"/>).</param>
/// <param name="Read">An .npy download, parsed and shape-checked (<see cref="BlobTensorStore.ReadAsync"/>).</param>
/// <param name="ProgressWriteSeconds">Median of one progress record write (<see cref="RunSignals.WriteProgressAsync"/>).</param>
/// <param name="CancelCheckSeconds">Median of one cancel-request check (<see cref="RunSignals.IsCancelRequestedAsync"/>).</param>
/// <param name="Samples">Timed calls each way.</param>
internal sealed record StorageCosts(
    BlobCost Write, BlobCost Read, double ProgressWriteSeconds, double CancelCheckSeconds, int Samples)
{
    /// <summary>What StageRunner does every signal interval while a stage computes.</summary>
    public double SignalCycleSeconds => ProgressWriteSeconds + CancelCheckSeconds;
}

internal static class StorageProbe
{
    // From 4 KiB (a tiny text blob) to 1 MiB (above the largest full-size blob, the 768 KiB upsampled samples).
    private static readonly int[] Floats = [1 << 10, 1 << 14, 1 << 16, 1 << 17, 3 << 16, 1 << 18];

    public static async Task<StorageCosts> MeasureAsync(
        BlobTensorStore store, RunSignals signals, int repeats, CancellationToken cancellationToken)
    {
        var runId = $"bench-io-{Guid.NewGuid():N}";
        var writes = new List<(double, double)>();
        var reads = new List<(double, double)>();
        foreach (var floats in Floats)
        {
            var array = NpyArray.FromSingle(new float[floats], 1, floats);
            var blob = RunBlobNames.Text(runId, $"probe-{floats}");
            var bytes = NpyBytes(array);
            for (var r = -1; r < repeats; r++)
            {
                var start = Stopwatch.GetTimestamp();
                await store.WriteAsync(blob, array, cancellationToken).ConfigureAwait(false);
                var written = Stopwatch.GetElapsedTime(start).TotalSeconds;
                start = Stopwatch.GetTimestamp();
                _ = await store.ReadAsync(blob, NpyDType.Float32, [1, floats], cancellationToken).ConfigureAwait(false);
                var read = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (r >= 0)
                {
                    writes.Add((bytes, written));
                    reads.Add((bytes, read));
                }
            }
        }

        var progress = new List<double>();
        var checks = new List<double>();
        for (var r = -1; r < Math.Max(10, repeats * 2); r++)
        {
            var start = Stopwatch.GetTimestamp();
            await signals.WriteProgressAsync(runId, new StepProgressRecord("base", 0, r + 1, 100), cancellationToken)
                .ConfigureAwait(false);
            var written = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            _ = await signals.IsCancelRequestedAsync(runId, cancellationToken).ConfigureAwait(false);
            if (r >= 0)
            {
                progress.Add(written);
                checks.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }

        await store.DeleteRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var writeFit = Stats.Fit(writes);
        var readFit = Stats.Fit(reads);
        return new StorageCosts(
            new BlobCost(Math.Max(0, writeFit.Intercept), Math.Max(0, writeFit.Slope)),
            new BlobCost(Math.Max(0, readFit.Intercept), Math.Max(0, readFit.Slope)),
            Stats.Median(progress),
            Stats.Median(checks),
            writes.Count);
    }

    /// <summary>The size of <paramref name="array"/> as an .npy blob.</summary>
    public static long NpyBytes(NpyArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        return stream.Length;
    }

    /// <summary>The size of a float32 .npy blob of <paramref name="shape"/>.</summary>
    public static long NpyBytes(params int[] shape) =>
        NpyBytes(NpyArray.FromSingle(new float[shape.Aggregate(1, (a, b) => a * b)], shape));
}
