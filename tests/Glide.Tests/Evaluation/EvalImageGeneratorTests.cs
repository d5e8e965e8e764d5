using Glide.Evaluation;
using Glide.Imaging;
using Glide.Pipeline;
using Glide.Tests.Models.Runtime;
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
    public void UpsampledImagesAreTheCascadesImages()
    {
        var setting = Setting(upsample: true);

        var image = Assert.Single(Generator().Generate(Caption, 2, setting));
        var cascade = Cascade(setting, 2);

        Assert.Equal(256, image.Image.Width);
        Assert.Equal(cascade.Images[0].Rgb, image.Image.Pixels.ToArray());
    }
}
