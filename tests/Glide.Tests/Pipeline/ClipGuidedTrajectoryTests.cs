using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Testing;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;

namespace Glide.Tests.Pipeline;

/// <summary>
/// The CLIP-guided base stage on the tiny models reproduces the PyTorch reference sampler's run
/// (tests/fixtures/trajectories/clip-guided-25.npz, glide-spec §8.4): no CFG, the mean shifted every step by
/// σ²·3·∇ₓ(100·z_i·z_t) — the reference's gradient is torch autograd, the stage's the exported clip.grad graph in
/// ONNX Runtime. Every x_t within 1e-4 on the stored grid, the final sample within 1e-4.
/// </summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class ClipGuidedTrajectoryTests(TinyModelSetFixture fixture)
{
    private const double Tolerance = 1e-4;
    private const string Name = "clip-guided-25";

    // The trajectory replays the base-25 run's noise (no noise file of its own).
    private static string NoisePath => RepoRoot.Combine("tests", "fixtures", "trajectories", "base-25.noise.npy");

    [Fact]
    public void The_prompt_embedding_matches_the_reference()
    {
        var reference = ReferenceTrajectory.Load(Name);
        var expected = reference.Archive["text_emb"].AsSingle();

        var fromTokens = fixture.Set.ClipText!.Encode(
            reference.Archive["clip_tokens"].AsInt64(), reference.Archive["clip_text_len"].AsInt64());
        var fromPrompt = ClipGuidedBaseStage.EncodePrompt(
            fixture.Set.ClipText!, new ClipTokenizer(), "an oil painting of a corgi");

        RuntimeAssert.Close(expected, fromTokens, Tolerance, "text_emb from the stored tokens");
        RuntimeAssert.Close(expected, fromPrompt, Tolerance, "text_emb from the prompt");
    }

    [Fact]
    public void ClipGuidedBaseStageFollowsTheReferenceTrajectory()
    {
        var reference = ReferenceTrajectory.Load(Name);
        var (unet, clipText, clip) = ClipGuidedBaseStage.Graphs(fixture.Set);
        var text = fixture.Set.BaseText!.Encode(
            reference.Archive["tokens"].AsInt64(), reference.Archive["mask"].AsBoolean(), 1);
        var embedding = clipText.Encode(
            reference.Archive["clip_tokens"].AsInt64(), reference.Archive["clip_text_len"].AsInt64());
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25");
        Assert.Equal(reference.Archive["timesteps"].AsInt64(), schedule.TimestepMap.ToArray().Select(t => (long)t));
        var scale = reference.Archive["guidance_scale"].AsSingle()[0];
        Assert.Equal(ClipGuidedBaseStage.DefaultGradientScale, scale);

        var worst = new double[schedule.Steps + 1];
        var final = ClipGuidedBaseStage.Run(
            unet, text, clip, embedding, new NpyNoiseSource(NoisePath), [scale], schedule,
            observer: (step, x) => worst[step] = reference.GridError(step, x, unet.ImageSize));

        Assert.All(worst, (error, step) => Assert.True(error <= Tolerance, $"x_t at step {step}: error {error:G3}"));
        var expected = reference.Archive["final"].AsSingle();
        var errors = expected.Zip(final, (e, a) => Math.Abs(e - a)).ToArray();
        var at = Array.IndexOf(errors, errors.Max());
        Assert.True(
            errors[at] <= Tolerance,
            $"final sample: max error {errors[at]:G3} at flat index {at} (expected {expected[at]}, got {final[at]})");
    }

    [Fact]
    public void The_cascade_in_clip_mode_runs_the_reference_base_stage()
    {
        var reference = ReferenceTrajectory.Load(Name);
        var cascade = new GlideCascade(fixture.Set, new GlideTokenizer(), new ClipTokenizer());
        var request = new GenerationRequest
        {
            Prompt = "an oil painting of a corgi",
            Guidance = GuidanceMode.Clip,
            BaseSteps = "25",
            UpsampleSteps = "2",
        };

        var result = cascade.Generate(request, baseNoise: new NpyNoiseSource(NoisePath));

        RuntimeAssert.Close(reference.Archive["final"].AsSingle(), result.BaseSamples, Tolerance, "base samples");
        Assert.Equal(256, Assert.Single(result.Images).Width);
    }

    [Fact]
    public void Images_do_not_depend_on_their_batch()
    {
        var (unet, clipText, clip) = ClipGuidedBaseStage.Graphs(fixture.Set);
        var prompt = fixture.Set.BaseText!.Encode(new long[128], new bool[128], 1);
        var embedding = ClipGuidedBaseStage.EncodePrompt(clipText, new ClipTokenizer(), "a corgi");
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "4");

        var pair = ClipGuidedBaseStage.Run(
            unet, prompt, clip, embedding, new PhiloxNoiseSource([5, 6], 0), [3f, 1f], schedule);
        var second = ClipGuidedBaseStage.Run(
            unet, prompt, clip, embedding, new PhiloxNoiseSource([6], 0), [1f], schedule);

        Assert.Equal(second, pair.AsSpan(3 * 64 * 64).ToArray());
    }

    [Fact]
    public void Missing_clip_graphs_are_named()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "base");

        var error = Assert.Throws<ModelManifestException>(() => ClipGuidedBaseStage.Graphs(set));

        Assert.Equal("clip.text", error.Graph);
        Assert.Contains("no clip.text and clip.grad graphs", error.Message, StringComparison.Ordinal);
    }
}
