using System.Globalization;
using Glide.Diffusion;
using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;

namespace GlideFunctions.Api;

/// <summary>
/// The generation object (design §4) from what the orchestration knows: its plan and custom status, plus the step
/// progress activities saved. A pure function, so the orchestrator can build webhook payloads with it and the
/// status endpoint shows exactly the same object.
/// </summary>
public static class GenerationResourceBuilder
{
    /// <summary>The route the API serves images on, when the plan names no absolute base.</summary>
    public static string DefaultImageUrlBase(string id) => $"/api/v1/generations/{id}/images/";

    /// <param name="plan">The orchestration input.</param>
    /// <param name="status">Its custom status; <see langword="null"/> before the orchestrator first ran.</param>
    /// <param name="progress">Step records of the run's activities (none is fine).</param>
    public static GenerationResource Build(
        GenerationPlan plan, GenerationCustomStatus? status, IReadOnlyList<StepProgressRecord> progress)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        var resource = new GenerationResource
        {
            Id = plan.RunId,
            Status = GenerationStatus.Starting,
            Input = plan.Input ?? InputOf(plan),
            CreatedAt = plan.CreatedAt,
        };
        if (status is null)
        {
            return resource;
        }

        var urlBase = plan.ImageUrlBase ?? DefaultImageUrlBase(plan.RunId);
        return resource with
        {
            Status = status.Status,
            Output = [.. status.Images.Select(image => new GenerationOutput(
                urlBase + image.Index.ToString(CultureInfo.InvariantCulture), image.Seed, image.ClipScore))],
            Error = status.Status == GenerationStatus.Failed ? status.Error : null,
            StartedAt = status.StartedAt,
            CompletedAt = status.Status.IsTerminal() ? status.CompletedAt : null,
            Metrics = new GenerationMetrics(
                status is { StartedAt: { } started, CompletedAt: { } completed } && status.Status.IsTerminal()
                    ? Math.Round((completed - started).TotalSeconds, 3)
                    : null,
                status.StageSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 3))),
            Progress = status.Status == GenerationStatus.Processing && status.Stage is { } stage
                ? Progress(plan, stage, progress)
                : null,
        };
    }

    /// <summary>
    /// The running stage's steps, averaged over its parts: base chunks and output images run in parallel, each
    /// through the stage's whole schedule; the rerank stage is one part whose steps are the candidates scored.
    /// </summary>
    private static GenerationProgress Progress(GenerationPlan plan, string stage, IReadOnlyList<StepProgressRecord> records)
    {
        var (parts, steps) = stage switch
        {
            StageNames.Base => (plan.ChunkCount, Respacing.Parse(plan.BaseSteps).Length),
            StageNames.Upsample => (plan.OutputCount, Respacing.Parse(plan.UpsampleSteps).Length),
            StageNames.Rerank => (1, plan.Count),
            _ => (0, 0),
        };
        if (parts == 0)
        {
            return new GenerationProgress(stage, 0, 1);
        }

        var done = records
            .Where(r => r.Stage == stage && r.Part >= 0 && r.Part < parts)
            .GroupBy(r => r.Part)
            .Sum(g => (long)Math.Clamp(g.Max(r => r.Step), 0, steps));
        return new GenerationProgress(stage, (int)(done / parts), steps);
    }

    /// <summary>The request a plan made without a recorded input (plans built in code rather than by the API).</summary>
    private static GenerationInput InputOf(GenerationPlan plan) => new()
    {
        Prompt = plan.Prompt,
        NegativePrompt = plan.NegativePrompt,
        NumCandidates = plan.Count,
        NumOutputs = plan.OutputCount,
        GuidanceScale = plan.GuidanceScale,
        GuidanceMode = GuidanceModeNames.ToName(plan.Guidance),
        BaseSteps = plan.BaseSteps,
        UpsampleSteps = plan.UpsampleSteps,
        Seed = plan.Seed,
        Rerank = plan.Rerank,
    };
}
