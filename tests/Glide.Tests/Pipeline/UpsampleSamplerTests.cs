using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Testing;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;

namespace Glide.Tests.Pipeline;

/// <summary>
/// The text2im upsampler's two samplers on the tiny models: ancestral steps built from the reference-checked pieces
/// (the UNet graph, <see cref="AncestralSampler"/>) with the image's k-th draw at the k-th step, and the choice
/// between the samplers made by the request, else by the model's manifest (<see cref="SamplingDefaults"/>).
/// </summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class UpsampleSamplerTests(TinyModelSetFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Ancestral_upsampling_takes_draw_k_at_step_k_and_none_at_the_last()
    {
        var reference = ReferenceTrajectory.Load("upsample-fast27");
        var unet = fixture.Set.UpsampleUNet!;
        var text = fixture.Set.UpsampleText!.Encode(
            reference.Archive["tokens"].AsInt64(), reference.Archive["mask"].AsBoolean(), 1);
        var baseFinal = ReferenceTrajectory.Load("base-100").Archive["final"].AsSingle();
        var schedule = DiffusionSchedule.Create(BetaSchedule.Linear, "6");
        var noise = new PhiloxNoiseSource([3], NoiseStreams.Upsample);
        var xs = new List<float[]>();

        var final = UpsampleStage.Run(
            unet, text, baseFinal, noise, schedule, NoiseTemperature.Upsample,
            observer: (_, x) => xs.Add(x.ToArray()), sampler: SamplerKind.Ancestral);

        // x_T is draw 0 × the temperature; then each step replayed from the one before with the k-th draw.
        var length = unet.InputRowLength;
        var draw = new float[length];
        noise.Fill(0, 0, draw);
        Assert.Equal(draw.Select(v => v * NoiseTemperature.Upsample), xs[0]);
        var lowRes = new float[baseFinal.Length];
        LowResQuantizer.Quantize(baseFinal, lowRes);
        var extras = new UNetExtras { LowRes = lowRes };
        var sampler = new AncestralSampler(schedule);
        var output = new float[unet.OutputRowLength];
        var next = new float[length];
        var predXStart = new float[length];
        Assert.Equal(schedule.Steps + 1, xs.Count);
        for (var k = 1; k <= schedule.Steps; k++)
        {
            var i = schedule.Steps - k;
            unet.Run(xs[k - 1], [schedule.TimestepMap[i]], text, extras, output);
            if (i != 0)
            {
                noise.Fill(0, k, draw);
            }

            sampler.Step(i, output, xs[k - 1], i != 0 ? draw : [], next, predXStart);
            Assert.Equal(next, xs[k]);
        }

        Assert.Equal(xs[^1], final);
    }

    [Fact]
    public void The_request_names_the_sampler_else_the_manifest_else_ddim()
    {
        var request = new GenerationRequest
        {
            Prompt = "a red circle on the left", Count = 1, Seed = 9, BaseSteps = "3", UpsampleSteps = "4",
        };
        var cascade = new GlideCascade(fixture.Set, new GlideTokenizer());
        Assert.Equal(SamplerKind.Ddim, fixture.Set.Manifest.Sampling.UpsampleSamplerKind); // the tiny manifest names none
        var unnamed = cascade.Generate(request).Samples;
        var ddim = cascade.Generate(request with { UpsampleSampler = SamplerKind.Ddim }).Samples;
        var ancestral = cascade.Generate(request with { UpsampleSampler = SamplerKind.Ancestral }).Samples;
        Assert.Equal(ddim, unnamed);
        Assert.NotEqual(ddim, ancestral);

        using var named = TinyModelSetFixture.Load(ManifestNaming("ancestral"), ExecutionDevice.Cpu, "base", "upsample");
        Assert.Equal(SamplerKind.Ancestral, named.Manifest.Sampling.UpsampleSamplerKind);
        var byManifest = new GlideCascade(named, new GlideTokenizer());
        Assert.Equal(ancestral, byManifest.Generate(request).Samples);
        Assert.Equal(ddim, byManifest.Generate(request with { UpsampleSampler = SamplerKind.Ddim }).Samples);
    }

    [Fact]
    public void An_x_t_only_noise_file_is_refused_for_ancestral_upsampling_before_any_work()
    {
        var request = new GenerationRequest
        {
            Prompt = "a red circle", Count = 1, BaseSteps = "3", UpsampleSteps = "4",
            UpsampleSampler = SamplerKind.Ancestral,
        };
        var path = _temp.Combine("x_t.npy");
        Glide.Tensors.NpyWriter.Write(path, Glide.Tensors.NpyArray.FromSingle(new float[3 * 256 * 256], 1, 1, 3, 256, 256));
        var steps = 0;

        var e = Assert.Throws<ArgumentException>(() => new GlideCascade(fixture.Set, new GlideTokenizer()).Generate(
            request, new SynchronousProgress(_ => steps++), upsampleNoise: new NpyNoiseSource(path)));

        Assert.Contains("a 4-step run needs 5 draws on the first axis", e.Message, StringComparison.Ordinal);
        Assert.Contains("ancestral upsampling, 4 steps", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, steps);
        // The same file is all DDIM needs.
        Assert.Single(new GlideCascade(fixture.Set, new GlideTokenizer()).Generate(
            request with { UpsampleSampler = SamplerKind.Ddim }, upsampleNoise: new NpyNoiseSource(path)).Images);
    }

    private string ManifestNaming(string sampler) =>
        TinyModelCopy.NamingUpsampleSampler(_temp.Combine("named"), sampler);
}
