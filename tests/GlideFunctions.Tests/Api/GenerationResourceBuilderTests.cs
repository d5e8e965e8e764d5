using Glide.Diffusion;
using Glide.Pipeline;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;

namespace GlideFunctions.Tests.Api;

/// <summary>The generation object built from a plan and a custom status: outputs with scores, rerank progress.</summary>
public sealed class GenerationResourceBuilderTests
{
    private static readonly GenerationPlan Plan = new(
        "g-1", "a corgi", null, Count: 5, ChunkSize: 2, Seed: 100, GuidanceScale: 3f, BaseSteps: "10",
        UpsampleSteps: "5", UpsampleTemperature: NoiseTemperature.Upsample)
    {
        Keep = 2,
        Rerank = true,
    };

    [Fact]
    public void Reranked_outputs_carry_their_candidates_seed_and_clip_score_in_rank_order()
    {
        var status = new GenerationCustomStatus
        {
            Status = GenerationStatus.Succeeded,
            Images =
            [
                new GenerationImage(0, 103, "runs/g-1/images/0.png") { Candidate = 3, ClipScore = 0.25 },
                new GenerationImage(1, 100, "runs/g-1/images/1.png") { Candidate = 0, ClipScore = -0.125 },
            ],
        };

        var resource = GenerationResourceBuilder.Build(Plan, status, progress: []);

        Assert.Equal(
            [
                new GenerationOutput("/api/v1/generations/g-1/images/0", 103, 0.25),
                new GenerationOutput("/api/v1/generations/g-1/images/1", 100, -0.125),
            ],
            resource.Output);
    }

    [Fact]
    public void Outputs_without_reranking_have_no_clip_score()
    {
        var status = new GenerationCustomStatus
        {
            Status = GenerationStatus.Succeeded,
            Images = [new GenerationImage(0, 100, "runs/g-1/images/0.png")],
        };

        var resource = GenerationResourceBuilder.Build(Plan with { Rerank = false, Keep = 0 }, status, progress: []);

        Assert.Null(Assert.Single(resource.Output).ClipScore);
    }

    [Fact]
    public void The_rerank_stage_reports_the_candidates_scored()
    {
        var status = new GenerationCustomStatus { Stage = StageNames.Rerank };

        var resource = GenerationResourceBuilder.Build(
            Plan, status, [new StepProgressRecord(StageNames.Rerank, 0, 3, 5), new StepProgressRecord(StageNames.Base, 0, 10, 10)]);

        Assert.Equal(new GenerationProgress(StageNames.Rerank, 3, 5), resource.Progress);
    }
}
