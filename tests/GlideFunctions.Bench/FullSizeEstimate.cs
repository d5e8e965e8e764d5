namespace GlideFunctions.Bench;

/// <summary>The overhead of one full-size generation, estimated from the README's step times and what was measured here.</summary>
/// <param name="Name">What is generated.</param>
/// <param name="Candidates">Base candidates.</param>
/// <param name="Outputs">Images upsampled.</param>
/// <param name="ModelSerial">Model seconds when every stage runs one after another on one machine.</param>
/// <param name="ModelParallel">Model seconds a client waits for when each activity has its own worker.</param>
/// <param name="FixedParallel">
/// Scheduling + in-activity I/O of EncodeText, one SampleBase and one Upsample + the extra text-blob bytes on that
/// path: the overhead a client waits for when the fan-out runs side by side.
/// </param>
/// <param name="FixedSerial">Scheduling + every activity's I/O + all extra bytes: nothing overlaps (upper bound).</param>
/// <param name="ExtraBytesParallel">Bytes the full-size text arrays add on the critical path.</param>
/// <param name="ExtraBytesSerial">Bytes the full-size text arrays add over the whole generation.</param>
/// <param name="RoundTripsParallel">Blob round trips one after another on the critical path.</param>
/// <param name="RoundTripsSerial">Blob round trips one after another when nothing overlaps.</param>
internal sealed record FullSizeScenario(
    string Name,
    int Candidates,
    int Outputs,
    double ModelSerial,
    double ModelParallel,
    double FixedParallel,
    double FixedSerial,
    long ExtraBytesParallel,
    long ExtraBytesSerial,
    int RoundTripsParallel,
    int RoundTripsSerial)
{
    /// <summary>
    /// Blob round trips an activity waits for one after another (<c>Activities/*.cs</c>, <c>StageRunner</c>): EncodeText
    /// writes its four arrays at once (1); SampleBase reads the text pair at once, checks for a cancel, writes its
    /// final progress and its chunk (4); Upsample reads the text pair, then the chunk, checks for a cancel, writes its
    /// final progress, then the samples and PNG at once (5). The progress writes during the loop overlap compute.
    /// </summary>
    public const int TextRoundTrips = 1;

    public const int BaseRoundTrips = 4;

    public const int UpsampleRoundTrips = 5;

    public double PercentParallel => 100 * FixedParallel / ModelParallel;

    public double PercentSerial => 100 * FixedSerial / ModelSerial;
}

/// <summary>The measured parts the full-size estimate is built from (serial runs, medians over the repeats).</summary>
/// <param name="Scheduling">
/// Time no activity ran: launch, the three stage transitions, completion. Activities of one stage are dispatched
/// together, so this is per generation, not per activity.
/// </param>
/// <param name="TextIo">EncodeText's blob writes and setup.</param>
/// <param name="BaseIo">One SampleBase's blob reads and write.</param>
/// <param name="UpsampleIo">
/// One Upsample's blob reads and writes: its I/O less the PNG encoding, which the direct path does as well.
/// </param>
/// <param name="FinalProgressWrite">
/// StageRunner's last progress write, which SampleBase and Upsample count inside their compute seconds: moved here.
/// </param>
/// <param name="PngBytes">One 256×256 PNG (the same size at full size; a random-weight model's noise compresses worst).</param>
internal sealed record MeasuredFixedParts(
    double Scheduling, double TextIo, double BaseIo, double UpsampleIo, double FinalProgressWrite, long PngBytes);

internal static class FullSizeEstimate
{
    public static IReadOnlyList<FullSizeScenario> Scenarios(
        BenchSettings settings, TextShapes measuredShapes, MeasuredFixedParts parts, StorageCosts costs)
    {
        var baseSteps = ModelSteps.BaseSteps(settings.FullBaseSteps);
        var upsampleSteps = ModelSteps.UpsampleSteps(settings.FullUpsampleSteps);
        var chunk = settings.ChunkSize;
        return
        [
            .. new (string Name, int Candidates, int Outputs)[]
            {
                ("1 candidate -> 1 image", 1, 1),
                ("4 candidates -> 1 image", 4, 1),
                ("4 candidates -> 4 images", 4, 4),
            }.Select(s =>
            {
                // CPU step time grows about linearly with the batch: a chunk of c images costs c CFG-image steps.
                var chunks = (s.Candidates + chunk - 1) / chunk;
                var modelSerial = (s.Candidates * baseSteps * settings.FullBaseStepSeconds)
                    + (s.Outputs * upsampleSteps * settings.FullUpsampleStepSeconds);
                var modelParallel = (Math.Min(chunk, s.Candidates) * baseSteps * settings.FullBaseStepSeconds)
                    + (upsampleSteps * settings.FullUpsampleStepSeconds);
                var extraParallel = BlobTraffic.CriticalPath(TextShapes.FullSize, s.Candidates, chunk, parts.PngBytes)
                    - BlobTraffic.CriticalPath(measuredShapes, s.Candidates, chunk, parts.PngBytes);
                var extraSerial = BlobTraffic.All(TextShapes.FullSize, s.Candidates, chunk, s.Outputs, parts.PngBytes)
                    - BlobTraffic.All(measuredShapes, s.Candidates, chunk, s.Outputs, parts.PngBytes);
                return new FullSizeScenario(
                    s.Name,
                    s.Candidates,
                    s.Outputs,
                    modelSerial,
                    modelParallel,
                    parts.Scheduling + parts.TextIo + parts.BaseIo + parts.UpsampleIo + (2 * parts.FinalProgressWrite)
                        + extraParallel.ByteSeconds(costs),
                    parts.Scheduling + parts.TextIo + (chunks * parts.BaseIo) + (s.Outputs * parts.UpsampleIo)
                        + ((chunks + s.Outputs) * parts.FinalProgressWrite) + extraSerial.ByteSeconds(costs),
                    extraParallel.Total,
                    extraSerial.Total,
                    FullSizeScenario.TextRoundTrips + FullSizeScenario.BaseRoundTrips + FullSizeScenario.UpsampleRoundTrips,
                    FullSizeScenario.TextRoundTrips + (chunks * FullSizeScenario.BaseRoundTrips)
                        + (s.Outputs * FullSizeScenario.UpsampleRoundTrips));
            }),
        ];
    }
}
