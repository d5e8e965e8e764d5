using Glide.Evaluation;
using Glide.Imaging;
using Glide.Pipeline;
using Glide.Tests.Models.Runtime;
using Glide.Tests.Pipeline;
using Glide.Tokenization;

namespace Glide.Tests.Evaluation;

/// <summary>Evaluation images are the pipeline's own: the cascade's base samples, or its finished images.</summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class EvalImageGeneratorTests(TinyModelSetFixture fixture)
{
    private const string Caption = "a red circle on the left";

    private static EvalSetting Setting(int count = 1, int? keep = null, bool upsample = false) => new()
    {
        GuidanceScale = 3f,
        Count = count,
        Keep = keep,
        BaseSteps = "5",
        Upsample = upsample,
        UpsampleSteps = "5",
    };

    private EvalImageGenerator Generator() => new(fixture.Set, new GlideTokenizer());

    private GenerationResult Cascade(EvalSetting setting, long seed) =>
        new GlideCascade(fixture.Set, new GlideTokenizer()).Generate(setting.Request(Caption, seed));

    [Fact]
    public void ABaseImageIsTheCascadesBaseSample()
    {
        var setting = Setting(count: 2);

        var images = Generator().Generate(Caption, 11, setting);
        var cascade = Cascade(setting, 11);

        Assert.Equal([11L, 12L], images.Select(i => i.Seed));
        var plane = 3 * 64 * 64;
        for (var k = 0; k < 2; k++)
        {
            Assert.Equal(64, images[k].Image.Width);
            Assert.Null(images[k].ClipScore);
            var expected = ImageQuantizer.ToRgb24(cascade.BaseSamples.AsSpan(k * plane, plane), 64, 64);
            Assert.Equal(expected, images[k].Image.Pixels.ToArray());
        }
    }

    [Fact]
    public void RerankingKeepsTheCascadesChoiceWithItsScore()
    {
        var setting = Setting(count: 3, keep: 1);

        var image = Assert.Single(Generator().Generate(Caption, 4, setting));
        var cascade = Cascade(setting, 4);

        Assert.Equal(cascade.Rerank!.Kept[0], image.Candidate);
        Assert.Equal(4 + image.Candidate, image.Seed);
        Assert.Equal(cascade.Rerank.Candidates[image.Candidate].Score, image.ClipScore);
        var plane = 3 * 64 * 64;
        var expected = ImageQuantizer.ToRgb24(cascade.BaseSamples.AsSpan(image.Candidate * plane, plane), 64, 64);
        Assert.Equal(expected, image.Image.Pixels.ToArray());
    }

    [Fact]
    public void ARerankedSettingTakesItsFirstCandidatesFromThePlainSettingAndDrawsOnlyTheOthers()
    {
        var reranked = Setting(count: 3, keep: 1);
        var generator = Generator();
        generator.KeepPlainSamplesFor(reranked);
        var plain = generator.Generate(Caption, 4, Setting(count: 1));
        var baseRuns = new List<StageProgress>();

        var image = Assert.Single(generator.Generate(Caption, 4, reranked, BaseStepsInto(baseRuns)));
        var fresh = Assert.Single(Generator().Generate(Caption, 4, reranked));

        Assert.Single(baseRuns, p => p.Step == 0); // one base run, for candidates 1 and 2
        Assert.Equal(fresh.Candidate, image.Candidate);
        Assert.Equal(fresh.ClipScore!.Value, image.ClipScore!.Value, 1e-5f);
        Assert.Equal(fresh.Image.Pixels.ToArray(), image.Image.Pixels.ToArray());
        Assert.Equal(4L, plain[0].Seed);
    }

    [Fact]
    public void PlainSamplesAreKeptOnlyForTheRerankedSettingsGuidanceAndOnlyWhenAsked()
    {
        var reranked = Setting(count: 2, keep: 2);
        var asked = Generator();
        asked.KeepPlainSamplesFor(reranked);
        asked.Generate(Caption, 7, Setting(count: 2));
        var otherGuidance = Generator();
        otherGuidance.KeepPlainSamplesFor(reranked);
        otherGuidance.Generate(Caption, 7, Setting(count: 2) with { GuidanceScale = 1f });
        var notAsked = Generator();
        notAsked.Generate(Caption, 7, Setting(count: 2));

        int BaseRuns(EvalImageGenerator generator)
        {
            var steps = new List<StageProgress>();
            generator.Generate(Caption, 7, reranked, BaseStepsInto(steps));
            return steps.Count(p => p.Step == 0);
        }

        Assert.Equal(0, BaseRuns(asked)); // both candidates were the plain setting's
        Assert.Equal(1, BaseRuns(asked)); // each kept sample is handed out once
        Assert.Equal(1, BaseRuns(otherGuidance));
        Assert.Equal(1, BaseRuns(notAsked));
        Assert.Throws<ArgumentException>(() => asked.KeepPlainSamplesFor(Setting(count: 2)));
    }

    private static SynchronousProgress BaseStepsInto(List<StageProgress> steps) =>
        new(p =>
        {
            if (p.Stage == StageNames.Base)
            {
                steps.Add(p);
            }
        });

    [Fact]
    public void UpsampledImagesAreTheCascadesImages()
    {
        var setting = Setting(upsample: true);

        var image = Assert.Single(Generator().Generate(Caption, 2, setting));
        var cascade = Cascade(setting, 2);

        Assert.Equal(256, image.Image.Width);
        Assert.Equal(cascade.Images[0].Rgb, image.Image.Pixels.ToArray());
    }
}
