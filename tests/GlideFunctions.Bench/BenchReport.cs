using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Glide.Pipeline;

namespace GlideFunctions.Bench;

/// <summary>The human-readable table of a <see cref="BenchResult"/>, and its JSON form.</summary>
internal static class BenchReport
{
    private const double MiB = 1024.0 * 1024.0;
    private const int Label = 56;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(BenchResult result) => JsonSerializer.Serialize(result, Json);

    public static void Print(BenchResult r, TextWriter o)
    {
        var s = r.Settings;
        Line(o, "glide-functions-bench: a generation through the Functions pipeline (in-process Durable host + Azurite)");
        Line(o, "against the same request through the core library (GlideCascade) in process, alternated in one run");
        Line(o, $"machine: {r.Cores} cores, load average {r.LoadAverageStart ?? "n/a"} at start, {r.LoadAverageEnd ?? "n/a"} at end");
        Line(o, $"models: {r.ModelDirectory} (config {r.ModelConfig}, {r.Device})");
        Line(o, $"generation: {s.Candidates} candidates -> {s.Candidates} images, base \"{s.BaseSteps}\" ({r.BaseStepCount} steps), " +
            $"upsample \"{s.UpsampleSteps}\" ({r.UpsampleStepCount} steps), seed {s.Seed}");
        Line(o, $"pipeline: chunks of {s.ChunkSize}: 1 EncodeText + {r.Chunks} SampleBase + {s.Candidates} Upsample activities, " +
            $"up to {r.HostActivitySlots} at once; signal interval {r.SignalIntervalSeconds:0.###} s");
        Line(o, $"repeats: {s.Repeat} timed (direct, pipeline, pipeline one activity at a time) after {s.Warmup} warm-up; " +
            $"PNGs identical: {r.IdenticalImages}/{r.ComparedImages}");
        o.WriteLine();

        Line(o, $"{"per generation, seconds",-Label} {"median",8} {"min",8}");
        Row(o, "direct    wall: GlideCascade.Generate + PNG encoding", r.Figure(f => f.DirectWall));
        Row(o, "            compute (text + base + upsample)", r.Figure(f => f.DirectCompute));
        Row(o, "            PNG encoding", r.Figure(f => f.DirectPng));
        Row(o, "pipeline  wall: launch -> client sees completion", r.Figure(f => f.PipelineWall));
        Row(o, "            activity compute, summed (StageSeconds)", r.Figure(f => f.PipelineComputeSum));
        foreach (var stage in new[] { StageNames.Text, StageNames.Base, StageNames.Upsample })
        {
            Row(o, $"              {stage}", r.Figure(f => f.PipelineStageSeconds.GetValueOrDefault(stage)));
        }

        Row(o, "            idle (no activity running)", r.Figure(f => f.PipelineIdle));
        Row(o, "serial    wall: one activity at a time", r.Figure(f => f.SerialWall));
        Row(o, "            activity compute (text: direct's)", r.Figure(f => f.SerialCompute));
        Row(o, "            scheduling (no activity running)", r.Figure(f => f.SerialIdle));
        Row(o, $"            in-activity I/O, all {r.Repeats[0].Activities} activities", r.Figure(f => f.SerialIo));
        Row(o, "              EncodeText (4 writes)", r.Figure(f => f.TextIo));
        Row(o, "              one SampleBase (2 reads, 1 write)", r.Figure(f => f.BaseIo));
        Row(o, "              one Upsample (3 reads, PNG, 2 writes)", r.Figure(f => f.UpsampleIo));
        o.WriteLine();

        Line(o, $"{"overhead per generation, seconds",-Label} {"median",8} {"min",8}  % of direct wall: median, min");
        Delta(o, r, "wall: pipeline wall - direct wall", f => f.WallOverhead);
        Delta(o, r, "= fixed: serial wall - compute - PNG encoding", f => f.FixedOverhead);
        Delta(o, r, "+ batching: serial compute - direct compute", f => f.BatchingEffect);
        Delta(o, r, "+ parallelism: pipeline wall - serial wall", f => f.ParallelismEffect);
        Delta(o, r, "- direct's 8-bit conversion and bookkeeping", f => -f.DirectBookkeeping);
        Delta(o, r, "summed activity compute - direct compute", f => f.ComputeSumDelta);
        Line(o, "  fixed: storage I/O and scheduling (both paths encode PNGs); batching: chunks and single images");
        Line(o, $"  instead of one batch of {s.Candidates}; parallelism: {r.HostActivitySlots} activities side by side on " +
            $"{r.Cores} cores against one at a time;");
        Line(o, "  the summed compute includes their contention. Activity compute (StageRunner's) includes each");
        Line(o, $"  SampleBase's and Upsample's final progress write ({r.Storage.ProgressWriteSeconds * 1000:F1} ms each): " +
            "the full-size estimate moves them to fixed.");
        o.WriteLine();

        Line(o, "model time alone: one UNet evaluation, median (as `glide bench` times it)");
        foreach (var step in r.Steps)
        {
            Line(o, $"  {step.Graph,-14} batch {step.Batch,3}  {step.Seconds * 1000,9:F2} ms  ({step.Runs} runs)");
        }

        Line(o, $"  direct: {r.BaseStepCount} base steps (batch {2 * s.Candidates}) + {r.UpsampleStepCount} upsampler steps " +
            $"(batch {s.Candidates}) + text = {r.DirectModelSeconds + r.DirectTextSeconds:F3} s; " +
            $"measured compute {r.Figure(f => f.DirectCompute).Median:F3} s");
        Line(o, $"  pipeline: critical path (one chunk, one image) {r.PipelineCriticalModelSeconds:F3} s, " +
            $"summed (all chunks, all images) {r.PipelineSummedModelSeconds:F3} s");
        o.WriteLine();

        var st = r.Storage;
        Line(o, $"storage: BlobTensorStore on Azurite, {st.Samples} calls each way, 4 KiB to 1 MiB, least squares");
        Line(o, $"  write {st.Write.CallSeconds * 1000:F2} ms + {st.Write.SecondsPerByte * MiB * 1000:F2} ms/MiB, " +
            $"read {st.Read.CallSeconds * 1000:F2} ms + {st.Read.SecondsPerByte * MiB * 1000:F2} ms/MiB; " +
            $"progress write {st.ProgressWriteSeconds * 1000:F2} ms, cancel check {st.CancelCheckSeconds * 1000:F2} ms");
        Line(o, $"  per generation, this model: {Traffic(r.MeasuredTraffic)}");
        Line(o, $"  per generation, full size:  {Traffic(r.FullSizeTraffic)}");
        Line(o, "  (only the text arrays grow at full size: xf_out [2|1, 512, 128], xf_proj [2|1, 768] f32)");
        o.WriteLine();

        var fp = r.FixedParts;
        Line(o, $"full-size estimate, default generation: base \"{s.FullBaseSteps}\" ({ModelSteps.BaseSteps(s.FullBaseSteps)} " +
            $"steps), upsample \"{s.FullUpsampleSteps}\" ({ModelSteps.UpsampleSteps(s.FullUpsampleSteps)} steps), " +
            $"chunks of {s.ChunkSize}");
        Line(o, $"  model time: README bench table, {s.FullBaseStepSeconds:0.###} s per base step per CFG image, " +
            $"{s.FullUpsampleStepSeconds:0.###} s per upsampler step per image (2-core CPU)");
        Line(o, $"  fixed: measured scheduling {fp.Scheduling:F3} s + I/O of EncodeText {fp.TextIo:F3} s, SampleBase " +
            $"{fp.BaseIo:F3} s, Upsample {fp.UpsampleIo:F3} s");
        Line(o, $"         (less PNG) + final progress writes ({fp.FinalProgressWrite * 1000:F1} ms each) + the full-size " +
            "text arrays' extra bytes at Azurite's per-byte cost");
        Line(o, $"  {"",-24} {"side by side (critical path)",-28}  {"one at a time (summed)",-28}");
        Line(o, $"  {"scenario",-24} {"model",9} {"fixed",8} {"%",8}  {"model",9} {"fixed",8} {"%",8}");
        foreach (var sc in r.FullSize)
        {
            Line(o, $"  {sc.Name,-24} {sc.ModelParallel,7:F1} s {sc.FixedParallel,6:F3} s {sc.PercentParallel,7:F3}%  " +
                $"{sc.ModelSerial,7:F1} s {sc.FixedSerial,6:F3} s {sc.PercentSerial,7:F3}%");
        }

        var worst = r.FullSize.MaxBy(x => x.RoundTripsSerial)!;
        Line(o, $"  storage latency: each 10 ms a blob round trip takes beyond Azurite's adds {worst.RoundTripsParallel * 0.01:F2} s " +
            $"side by side ({worst.RoundTripsParallel} round trips in a row),");
        Line(o, $"    {worst.RoundTripsSerial * 0.01:F2} s one at a time ({worst.Name})");
        Line(o, $"  proportional: one signal cycle ({st.SignalCycleSeconds * 1000:F1} ms, async, off the compute thread) " +
            $"per {r.SignalIntervalSeconds:0.###} s of stage compute:");
        Line(o, $"    at most {r.SignalPercentBound:F2}% of model time");
        Line(o, $"targets: fixed < {r.FixedTargetSeconds:0.#} s: {Verdict(r.FixedTargetMet)} (worst {r.WorstFixedParallel:F3} s " +
            $"side by side, {r.WorstFixedSerial:F3} s one at a time); proportional < {r.ProportionalTargetPercent:0.#}%: " +
            $"{Verdict(r.ProportionalTargetMet)} (<= {r.SignalPercentBound:F2}%)");
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static string Traffic(BlobTraffic t) => string.Create(
        CultureInfo.InvariantCulture,
        $"{t.Writes} writes {t.Written / 1024.0:F0} KiB, {t.Reads} reads {t.Read / 1024.0:F0} KiB");

    private static void Row(TextWriter o, string label, Summary value) =>
        Line(o, $"{label,-Label} {value.Median,8:F3} {value.Min,8:F3}");

    private static void Delta(TextWriter o, BenchResult r, string label, Func<RepeatFigures, double> figure)
    {
        var value = r.Figure(figure);
        var percent = r.PercentOfDirect(figure);
        Line(o, $"{label,-Label} {Signed(value.Median, 3),8} {Signed(value.Min, 3),8}  " +
            $"{Signed(percent.Median, 1),7}%, {Signed(percent.Min, 1)}%");
    }

    /// <summary>With its sign, and no "-0.0" for a value that rounds to zero.</summary>
    private static string Signed(double value, int decimals)
    {
        var rounded = Math.Round(value, decimals);
        var text = (rounded == 0 ? 0 : rounded).ToString($"F{decimals}", CultureInfo.InvariantCulture);
        return rounded >= 0 ? "+" + text : text;
    }

    /// <summary>Numbers print with the invariant culture: <see cref="BenchCommand"/> sets it for the process.</summary>
    private static void Line(TextWriter o, string text) => o.WriteLine(text);
}
