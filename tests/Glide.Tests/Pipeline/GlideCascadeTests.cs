using Glide.Pipeline;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;

namespace Glide.Tests.Pipeline;

/// <summary>The whole cascade on the tiny models: determinism, batch independence, cancellation, bad requests.</summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class GlideCascadeTests(TinyModelSetFixture fixture)
{
    // Short respacings keep these tests fast; the step math itself is covered by TrajectoryTests.
    private static GenerationRequest Request(int count, long seed) => new()
    {
        Prompt = "a red circle to the left of a blue square",
        Count = count,
        Seed = seed,
        BaseSteps = "10",
        UpsampleSteps = "10",
    };

    private GlideCascade Cascade() => new(fixture.Set, new GlideTokenizer());

    [Fact]
    public void SameRequestGivesTheSameImages()
    {
        var first = Cascade().Generate(Request(1, 7));
        var second = Cascade().Generate(Request(1, 7));
        Assert.Equal(first.Images[0].Rgb, second.Images[0].Rgb);
        Assert.Equal(256, first.Images[0].Width);
        Assert.Equal(3 * 256 * 256, first.Images[0].Rgb.Length);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentImages()
    {
        var a = Cascade().Generate(Request(1, 1));
        var b = Cascade().Generate(Request(1, 2));
        Assert.NotEqual(a.Images[0].Rgb, b.Images[0].Rgb);
    }

    [Fact]
    public void AnImageDoesNotDependOnItsBatch()
    {
        // Image 2 of a batch of 4 starting at seed 10 has seed 12: it must equal seed 12 generated alone.
        var batch = Cascade().Generate(Request(4, 10));
        var alone = Cascade().Generate(Request(1, 12));
        Assert.Equal(12, batch.Images[2].Seed);

        var baseLength = 3 * 64 * 64;
        AssertClose(alone.BaseSamples, batch.BaseSamples.AsSpan(2 * baseLength, baseLength), 1e-5);
        var length = 3 * 256 * 256;
        AssertClose(alone.Samples, batch.Samples.AsSpan(2 * length, length), 1e-5);
    }

    [Fact]
    public void CancellationStopsWithinOneStep()
    {
        using var cancel = new CancellationTokenSource();
        var steps = new List<StageProgress>();
        var progress = new SynchronousProgress(p =>
        {
            steps.Add(p);
            if (p.Stage == StageNames.Base && p.Step == 3)
            {
                cancel.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => Cascade().Generate(Request(1, 0), progress, cancel.Token));
        Assert.Equal(3, steps.Max(p => p.Step));
        Assert.DoesNotContain(steps, p => p.Stage == StageNames.Upsample);
    }

    [Fact]
    public void ProgressCoversEveryStepOfBothStages()
    {
        var steps = new List<StageProgress>();
        Cascade().Generate(Request(1, 0), new SynchronousProgress(steps.Add));
        Assert.Equal(Enumerable.Range(0, 11), steps.Where(p => p.Stage == StageNames.Base).Select(p => p.Step));
        Assert.Equal(Enumerable.Range(0, 11), steps.Where(p => p.Stage == StageNames.Upsample).Select(p => p.Step));
    }

    [Theory]
    [InlineData("count", 0, 3f, "100", "fast27")]
    [InlineData("count", 65, 3f, "100", "fast27")]
    [InlineData("guidance", 1, float.NaN, "100", "fast27")]
    [InlineData("guidance", 1, float.PositiveInfinity, "100", "fast27")]
    [InlineData("BaseSteps", 1, 3f, "0", "fast27")]
    [InlineData("BaseSteps", 1, 3f, "fast28", "fast27")]
    [InlineData("UpsampleSteps", 1, 3f, "100", "ddim7x")]
    [InlineData("UpsampleSteps", 1, 3f, "100", "")]
    public void BadRequestsAreRejectedBeforeAnyWork(string field, int count, float guidance, string baseSteps, string upSteps)
    {
        var request = new GenerationRequest
        {
            Prompt = "x", Count = count, GuidanceScale = guidance, BaseSteps = baseSteps, UpsampleSteps = upSteps,
        };
        var steps = 0;
        var e = Assert.ThrowsAny<ArgumentException>(
            () => Cascade().Generate(request, new SynchronousProgress(_ => steps++)));
        Assert.Contains(field, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, steps);
    }

    [Fact]
    public void EmptyAndOverlongPromptsFollowTheSpec()
    {
        // "" is the unconditional prompt; an overlong prompt is cut to its first 128 tokens (glide-spec §2.1).
        var empty = Cascade().Generate(Request(1, 0) with { Prompt = string.Empty });
        Assert.False(empty.PromptTruncated);
        var longPrompt = string.Join(' ', Enumerable.Repeat("corgi", 200));
        var cut = Cascade().Generate(Request(1, 0) with { Prompt = longPrompt });
        Assert.True(cut.PromptTruncated);
    }

    [Fact]
    public void NegativePromptReplacesTheUnconditionalRow()
    {
        var plain = Cascade().Generate(Request(1, 4));
        var emptyNegative = Cascade().Generate(Request(1, 4) with { NegativePrompt = string.Empty });
        var negative = Cascade().Generate(Request(1, 4) with { NegativePrompt = "a green triangle" });
        Assert.Equal(plain.Images[0].Rgb, emptyNegative.Images[0].Rgb);
        Assert.NotEqual(plain.Images[0].Rgb, negative.Images[0].Rgb);
    }

    [Fact]
    public void GuidanceScalesArePerImageInsideOneBatch()
    {
        var set = fixture.Set;
        var text = new PromptEncoder(new GlideTokenizer()).Encode("a corgi", null, set.BaseText!, null).Base;
        var schedule = Glide.Diffusion.DiffusionSchedule.Create(Glide.Diffusion.BetaSchedule.SquaredCosCapV2, "10");
        float[] Sample(long[] seeds, float[] scales) =>
            BaseStage.Run(set.BaseUNet!, text, new Glide.Noise.PhiloxNoiseSource(seeds), scales, schedule);

        var both = Sample([1, 2], [1f, 5f]);
        var first = Sample([1], [1f]);
        var second = Sample([2], [5f]);
        AssertClose(first, both.AsSpan(0, first.Length), 1e-5);
        AssertClose(second, both.AsSpan(first.Length), 1e-5);
        Assert.NotEqual(Sample([2], [1f]), second);
    }

    [Fact]
    public void Reranking_upsamples_only_the_best_candidates_each_with_its_own_seed()
    {
        var request = Request(3, 20) with { Keep = 2, BaseSteps = "5", UpsampleSteps = "5" };
        var steps = new List<StageProgress>();

        var reranked = Cascade().Generate(request, new SynchronousProgress(steps.Add));
        var plain = Cascade().Generate(request with { Keep = null });

        // The same candidates, scored by the reranker on their own, choose the same images.
        Assert.Equal(plain.BaseSamples, reranked.BaseSamples);
        var reranker = ClipReranker.Create(fixture.Set, new ClipTokenizer());
        var expected = RerankResult.Rank(
            reranker.Score(reranker.EncodePrompt(request.Prompt), plain.BaseSamples, 3), keep: 2);
        Assert.Equal(expected.Candidates, reranked.Rerank!.Candidates);
        Assert.Equal(expected.Kept, reranked.Images.Select(i => i.Candidate));
        Assert.Equal([0, 1], reranked.Images.Select(i => i.Index));
        Assert.Equal([0, 1], reranked.Images.Select(i => i.Rank));
        Assert.Equal(expected.Kept.Select(c => 20L + c), reranked.Images.Select(i => i.Seed));
        Assert.Equal(expected.Kept.Select(c => (float?)expected.Candidates[c].Score), reranked.Images.Select(i => i.ClipScore));
        Assert.True(reranked.StageSeconds.ContainsKey(StageNames.Rerank));
        Assert.Equal([0, 3], steps.Where(p => p.Stage == StageNames.Rerank).Select(p => p.Step));
        Assert.Equal(
            [StageNames.Base, StageNames.Rerank, StageNames.Upsample], steps.Select(p => p.Stage).Distinct());

        // An upsampled image depends only on its candidate's seed, not on which others were kept.
        var length = 3 * 256 * 256;
        Assert.Equal(2 * length, reranked.Samples.Length);
        for (var k = 0; k < 2; k++)
        {
            var candidate = reranked.Images[k].Candidate;
            AssertClose(plain.Samples.AsSpan(candidate * length, length), reranked.Samples.AsSpan(k * length, length), 1e-5);
            Assert.Null(plain.Images[candidate].ClipScore);
            Assert.Equal(plain.Images[candidate].Seed, reranked.Images[k].Seed);
        }
    }

    [Fact]
    public void Given_upsample_noise_is_taken_for_the_kept_candidates()
    {
        var request = Request(2, 30) with { Keep = 1, BaseSteps = "3", UpsampleSteps = "3" };
        var seeded = Cascade().Generate(request);

        var replayed = Cascade().Generate(
            request, upsampleNoise: new Glide.Noise.PhiloxNoiseSource([30, 31], NoiseStreams.Upsample));

        Assert.Equal(seeded.Images[0].Candidate, replayed.Images[0].Candidate);
        Assert.Equal(seeded.Samples, replayed.Samples);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 3)]
    public void A_keep_outside_the_candidates_is_rejected_before_any_work(int count, int keep)
    {
        var steps = 0;
        var e = Assert.ThrowsAny<ArgumentException>(
            () => Cascade().Generate(Request(count, 0) with { Keep = keep }, new SynchronousProgress(_ => steps++)));

        Assert.Equal("Keep", e.ParamName);
        Assert.Contains($"keep must be between 1 and the {count} candidates, got {keep}", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, steps);
    }

    [Fact]
    public void Reranking_without_clip_graphs_fails_before_any_work()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, Glide.Models.ExecutionDevice.Cpu, "base", "upsample");
        var steps = 0;

        var e = Assert.Throws<Glide.Models.ModelManifestException>(
            () => new GlideCascade(set, new GlideTokenizer()).Generate(
                Request(2, 0) with { Keep = 1 }, new SynchronousProgress(_ => steps++)));

        Assert.Contains("clip.text and clip.image", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, steps);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(worst <= tolerance, $"max difference {worst:G3} exceeds {tolerance}");
    }
}
