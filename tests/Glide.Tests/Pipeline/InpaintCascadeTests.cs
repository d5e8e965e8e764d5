using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;

namespace Glide.Tests.Pipeline;

/// <summary>The whole inpainting cascade on the tiny models: kept pixels exact, seeds reproducible, clear errors.</summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class InpaintCascadeTests(TinyModelSetFixture fixture)
{
    private static readonly GlideTokenizer Tokenizer = new();

    private static InpaintRequest Request(int count = 1, long seed = 0) => new()
    {
        Prompt = "a corgi in a field",
        Count = count,
        Seed = seed,
        BaseSteps = "4",
        UpsampleSteps = "4",
    };

    [Fact]
    public void KeptPixelsOfEveryOutputAreTheResizedSourceExactly()
    {
        var inputs = InpaintFixture.Inputs();
        var result = new InpaintCascade(fixture.Set, Tokenizer).Inpaint(Request(count: 2), inputs);

        Assert.Equal(2, result.Images.Count);
        var source = BicubicResampler.Resize(InpaintFixture.Image("source"), 256, 256).Pixels.ToArray();
        foreach (var image in result.Images)
        {
            Assert.Equal((256, 256), (image.Width, image.Height));
            var kept = 0;
            var changed = 0;
            for (var p = 0; p < 256 * 256; p++)
            {
                var same = image.Rgb.AsSpan(3 * p, 3).SequenceEqual(source.AsSpan(3 * p, 3));
                if (inputs.Mask256[p] == 1f)
                {
                    kept++;
                    Assert.True(same, $"image {image.Index}: kept pixel {p} differs from the source");
                }
                else
                {
                    changed += same ? 0 : 1;
                }
            }

            Assert.Equal(16 * inputs.KeptPixels, kept);
            Assert.True(changed > 0, "the masked region was not generated");
        }

        InpaintTrajectoryTests.AssertKnownRegionExact(result.BaseSamples, inputs.Image64, inputs.Mask64);
        InpaintTrajectoryTests.AssertKnownRegionExact(result.Samples, inputs.Image256, inputs.Mask256);
        Assert.Equal(
            [StageNames.Base, StageNames.Text, StageNames.Upsample], result.StageSeconds.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AnImageDependsOnlyOnItsSeed()
    {
        var inputs = InpaintFixture.Inputs();
        var cascade = new InpaintCascade(fixture.Set, Tokenizer);
        var pair = cascade.Inpaint(Request(count: 2, seed: 10), inputs);
        var second = cascade.Inpaint(Request(seed: 11), inputs);
        Assert.Equal(pair.Images[1].Rgb, second.Images[0].Rgb);
        Assert.Equal(11, second.Images[0].Seed);
        Assert.NotEqual(pair.Images[0].Rgb, pair.Images[1].Rgb);
    }

    [Fact]
    public void ProgressReportsBothStages()
    {
        var reports = new List<StageProgress>();
        new InpaintCascade(fixture.Set, Tokenizer).Inpaint(Request(), InpaintFixture.Inputs(), new Recorder(reports));
        Assert.Equal(new StageProgress(StageNames.Base, 4, 4), reports.Last(r => r.Stage == StageNames.Base));
        Assert.Equal(new StageProgress(StageNames.Upsample, 4, 4), reports[^1]);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextStep()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.Throws<OperationCanceledException>(
            () => new InpaintCascade(fixture.Set, Tokenizer).Inpaint(Request(), InpaintFixture.Inputs(), cancellationToken: source.Token));
    }

    [Fact]
    public void BadRequestsNameTheField()
    {
        var cascade = new InpaintCascade(fixture.Set, Tokenizer);
        var inputs = InpaintFixture.Inputs();
        Assert.Equal("Count", Assert.Throws<ArgumentException>(() => cascade.Inpaint(Request() with { Count = 0 }, inputs)).ParamName);
        Assert.Equal("BaseSteps", Assert.Throws<ArgumentException>(() => cascade.Inpaint(Request() with { BaseSteps = "x" }, inputs)).ParamName);
        Assert.Equal(
            "GuidanceScale",
            Assert.Throws<ArgumentException>(() => cascade.Inpaint(Request() with { GuidanceScale = float.NaN }, inputs)).ParamName);
    }

    [Fact]
    public void ASetWithoutInpaintModelsIsAClearError()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "base", "upsample");
        var e = Assert.Throws<ModelManifestException>(
            () => new InpaintCascade(set, Tokenizer).Inpaint(Request(), InpaintFixture.Inputs()));
        Assert.Contains("base-inpaint", e.Message);
    }

    private sealed class Recorder(List<StageProgress> reports) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => reports.Add(value);
    }
}
