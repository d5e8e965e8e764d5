using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;

namespace Glide.Tests.Pipeline;

/// <summary>Stages run apart, through stored .npy tensors, give the same images as the stages run together.</summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class StageTensorsTests(TinyModelSetFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void StagesRunFromStoredTensorsMatchTheDirectRun()
    {
        var set = fixture.Set;
        var prompt = new PromptEncoder(new GlideTokenizer()).Encode("a corgi", null, set.BaseText!, set.UpsampleText);
        var baseSchedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "10");
        var upSchedule = DiffusionSchedule.Create(BetaSchedule.Linear, "10");
        var direct = BaseStage.Run(set.BaseUNet!, prompt.Base, new PhiloxNoiseSource([9]), [3f], baseSchedule);
        var directUp = UpsampleStage.Run(
            set.UpsampleUNet!, prompt.Upsample!, direct, new PhiloxNoiseSource([9], NoiseStreams.Upsample), upSchedule);

        // Text stage → files → base stage → file → upsampler, each reading only what the previous one stored.
        NpyWriter.Write(_temp.Combine("xf_proj.npy"), StageTensors.XfProj(prompt.Base));
        NpyWriter.Write(_temp.Combine("xf_out.npy"), StageTensors.XfOut(prompt.Base));
        NpyWriter.Write(_temp.Combine("up_xf_proj.npy"), StageTensors.XfProj(prompt.Upsample!));
        NpyWriter.Write(_temp.Combine("up_xf_out.npy"), StageTensors.XfOut(prompt.Upsample!));
        var baseText = StageTensors.Text(
            NpyReader.Read(_temp.Combine("xf_proj.npy")), NpyReader.Read(_temp.Combine("xf_out.npy")), "text");
        var stored = BaseStage.Run(set.BaseUNet!, baseText, new PhiloxNoiseSource([9]), [3f], baseSchedule);
        NpyWriter.Write(_temp.Combine("base.npy"), StageTensors.Images(stored, 1, 64));

        var upText = StageTensors.Text(
            NpyReader.Read(_temp.Combine("up_xf_proj.npy")), NpyReader.Read(_temp.Combine("up_xf_out.npy")), "text");
        var baseImages = StageTensors.Images(NpyReader.Read(_temp.Combine("base.npy")), 64, "base.npy", count: 1);
        var storedUp = UpsampleStage.Run(
            set.UpsampleUNet!, upText, baseImages, new PhiloxNoiseSource([9], NoiseStreams.Upsample), upSchedule);

        Assert.Equal(direct, stored);
        Assert.Equal(directUp, storedUp);
    }

    [Fact]
    public void WrongShapesAreNamed()
    {
        var images = NpyArray.FromSingle(new float[3 * 32 * 32], 1, 3, 32, 32);
        var e = Assert.Throws<InvalidDataException>(() => StageTensors.Images(images, 64, "runs/x/base/0.npy"));
        Assert.Contains("runs/x/base/0.npy", e.Message);
        Assert.Contains("(1, 3, 32, 32)", e.Message);

        var proj = NpyArray.FromSingle(new float[2 * 8], 2, 8);
        var xfOut = NpyArray.FromSingle(new float[3 * 4 * 128], 3, 4, 128);
        Assert.Contains("rows", Assert.Throws<InvalidDataException>(() => StageTensors.Text(proj, xfOut, "t")).Message);
        var wrongType = NpyArray.FromInt64(new long[16], 2, 8);
        Assert.Contains("float32", Assert.Throws<InvalidDataException>(() => StageTensors.Text(wrongType, xfOut, "t")).Message);
    }

    public void Dispose() => _temp.Dispose();
}
