using Glide.Pipeline;

namespace GlideFunctions.Bench;

/// <summary>
/// One repeat: the direct path, the pipeline as the host runs it (its activities as many at a time as the host
/// allows), and the pipeline with its activities one at a time, split into the parts the overhead is made of. Every
/// figure is in seconds for one generation.
/// </summary>
/// <remarks>
/// With <c>fixed</c> = serial wall − serial compute − the direct path's PNG encoding (both paths encode the PNGs),
/// <c>batching</c> = serial compute − direct compute and <c>parallelism</c> = pipeline wall − serial wall, the wall
/// overhead (pipeline wall − direct wall) is exactly fixed + batching + parallelism − the direct path's remaining
/// bookkeeping (direct wall − direct compute − PNG: the cascade's 8-bit conversion).
/// </remarks>
internal sealed record RepeatFigures
{
    public required double DirectWall { get; init; }

    /// <summary>The cascade's text + base + upsample seconds.</summary>
    public required double DirectCompute { get; init; }

    public required double DirectPng { get; init; }

    /// <summary>The direct path's PNG encoding per image: the part of an Upsample's I/O the direct path does too.</summary>
    public required double PngPerImage { get; init; }

    /// <summary>Launch → the client sees the orchestration completed, activities run as the host schedules them.</summary>
    public required double PipelineWall { get; init; }

    /// <summary>Sum of the orchestration's <c>StageSeconds</c>: every activity's reported compute.</summary>
    public required double PipelineComputeSum { get; init; }

    public required IReadOnlyDictionary<string, double> PipelineStageSeconds { get; init; }

    /// <summary>Time no activity ran: the client's launch, dispatch between stages, completion reaching the client.</summary>
    public required double PipelineIdle { get; init; }

    /// <summary>The same generation with one activity at a time.</summary>
    public required double SerialWall { get; init; }

    /// <summary>
    /// Activity compute of the serial run: the text stage counted as the direct path's text encoding (EncodeText's
    /// own seconds include its four blob writes), the others as reported (StageRunner).
    /// </summary>
    public required double SerialCompute { get; init; }

    /// <summary>Serial wall − the activities' spans: scheduling and dispatch, launch and completion.</summary>
    public required double SerialIdle { get; init; }

    /// <summary>Activity time that is not compute (blob reads/writes, PNG), serial run: EncodeText.</summary>
    public required double TextIo { get; init; }

    /// <summary>The same for one SampleBase (median over the chunks).</summary>
    public required double BaseIo { get; init; }

    /// <summary>The same for one Upsample, PNG encoding included (median over the images).</summary>
    public required double UpsampleIo { get; init; }

    /// <summary>In-activity I/O summed over every activity of the serial run.</summary>
    public required double SerialIo { get; init; }

    public required int Activities { get; init; }

    /// <summary>Pipeline wall − direct wall: how much longer a client of the pipeline waits.</summary>
    public double WallOverhead => PipelineWall - DirectWall;

    /// <summary>Serial wall − serial compute − the PNG encoding both paths do: storage I/O and scheduling.</summary>
    public double FixedOverhead => SerialWall - SerialCompute - DirectPng;

    /// <summary>Direct wall − direct compute − PNG encoding: the cascade's 8-bit conversion and bookkeeping.</summary>
    public double DirectBookkeeping => DirectWall - DirectCompute - DirectPng;

    /// <summary>Serial compute − direct compute: the same model work in chunks and single images instead of one batch.</summary>
    public double BatchingEffect => SerialCompute - DirectCompute;

    /// <summary>Pipeline wall − serial wall: what running activities side by side saves (or costs) on this machine.</summary>
    public double ParallelismEffect => PipelineWall - SerialWall;

    /// <summary>Summed activity compute of the pipeline run − direct compute: batching and contention together.</summary>
    public double ComputeSumDelta => PipelineComputeSum - DirectCompute;

    public static RepeatFigures From(DirectRun direct, PipelineRun pipeline, PipelineRun serial, double textSeconds)
    {
        var text = Last(serial.Activities, StageNames.Text);
        var bases = Parts(serial.Activities, StageNames.Base);
        var ups = Parts(serial.Activities, StageNames.Upsample);
        if (text is null || bases.Count == 0 || ups.Count == 0)
        {
            throw new InvalidOperationException(
                $"generation {serial.RunId}: the activity wrappers recorded {serial.Activities.Count} activities, " +
                "not a text, base and upsample stage");
        }

        var activities = new List<ActivityTiming> { text };
        activities.AddRange(bases);
        activities.AddRange(ups);
        var compute = textSeconds + bases.Sum(b => b.ComputeSeconds) + ups.Sum(u => u.ComputeSeconds);
        var spans = activities.Sum(a => a.Wall);
        return new RepeatFigures
        {
            DirectWall = direct.Wall,
            DirectCompute = direct.Compute,
            DirectPng = direct.PngSeconds,
            PngPerImage = direct.PngSeconds / direct.Pngs.Count,
            PipelineWall = pipeline.Wall,
            PipelineComputeSum = pipeline.StageSeconds.Values.Sum(),
            PipelineStageSeconds = pipeline.StageSeconds,
            PipelineIdle = pipeline.Wall - Covered(pipeline.Activities),
            SerialWall = serial.Wall,
            SerialCompute = compute,
            SerialIdle = serial.Wall - spans,
            TextIo = text.Wall - textSeconds,
            BaseIo = Stats.Median(bases.Select(b => b.NonCompute)),
            UpsampleIo = Stats.Median(ups.Select(u => u.NonCompute)),
            SerialIo = spans - compute,
            Activities = activities.Count,
        };
    }

    private static ActivityTiming? Last(IReadOnlyList<ActivityTiming> activities, string stage) =>
        activities.LastOrDefault(a => a.Stage == stage);

    /// <summary>The last attempt of each part of <paramref name="stage"/>.</summary>
    private static List<ActivityTiming> Parts(IReadOnlyList<ActivityTiming> activities, string stage) =>
        [.. activities.Where(a => a.Stage == stage).GroupBy(a => a.Part).Select(g => g.MaxBy(a => a.Start)!)];

    /// <summary>Seconds during which at least one activity ran.</summary>
    private static double Covered(IReadOnlyList<ActivityTiming> activities)
    {
        double covered = 0, end = double.NegativeInfinity;
        foreach (var a in activities.OrderBy(a => a.Start))
        {
            if (a.End <= end)
            {
                continue;
            }

            covered += a.End - Math.Max(a.Start, end);
            end = a.End;
        }

        return covered;
    }
}

/// <summary>Median and minimum of one figure over the repeats.</summary>
internal sealed record Summary(double Median, double Min)
{
    public static Summary Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        return new Summary(Stats.Median(list), Stats.Min(list));
    }
}
