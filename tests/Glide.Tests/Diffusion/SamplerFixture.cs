using Glide.Diffusion;
using Glide.Tensors;
using Glide.Testing;

namespace Glide.Tests.Diffusion;

/// <summary>
/// One case of <c>tests/fixtures/sampler</c>: the reference sampler (src/export/glide_export/diffusion.py) run step by
/// step on given model outputs and noise, written by src/export/glide_export/sampler_fixtures.py (keys documented
/// there). Arrays over steps are indexed by spaced index i (model outputs, x0) or by steps taken k (noise, x_t).
/// </summary>
internal sealed class SamplerFixture
{
    private readonly NpzArchive _npz;

    private SamplerFixture(string name, string schedule, string respacing, NpzArchive npz)
    {
        Name = name;
        _npz = npz;
        Schedule = DiffusionSchedule.Create(schedule, respacing);
        ImageLength = Get("x_t").Shape.Skip(1).Aggregate(1, (a, b) => a * b);
        Steps = Schedule.Steps;
        Assert.Equal(Get("timesteps").AsInt64().Select(t => (int)t), Schedule.TimestepMap.ToArray());
    }

    public string Name { get; }

    public DiffusionSchedule Schedule { get; }

    public int Steps { get; }

    /// <summary>C·H·W of the image.</summary>
    public int ImageLength { get; }

    public float Eta => Get("eta").AsSingle()[0];

    public float Temperature => Get("temperature").AsSingle()[0];

    public float? GuidanceScale => _npz.TryGet("guidance_scale", out var a) ? a.AsSingle()[0] : null;

    public bool HasStepNoise => Get("noise").Shape[0] == Steps + 1;

    public static SamplerFixture Load(string name, string schedule, string respacing)
    {
        var path = RepoRoot.Combine("tests", "fixtures", "sampler", $"{name}.npz");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"the sampler fixture is missing: {path} does not exist. Generate it with " +
                "`cd src/export && python3 -m glide_export.sampler_fixtures`.");
        }

        return new SamplerFixture(name, schedule, respacing, NpzReader.Read(path));
    }

    /// <summary>The model output at spaced index i, [2C, H, W], after CFG when the case has it.</summary>
    public float[] ModelOutput(int i)
    {
        var output = new float[2 * ImageLength];
        if (GuidanceScale is { } scale)
        {
            var length = 2 * ImageLength;
            ClassifierFreeGuidance.Combine(Row("cond", i, length), Row("uncond", i, length), scale, output);
        }
        else
        {
            Row("model_output", i, 2 * ImageLength).CopyTo(output);
        }

        return output;
    }

    public ReadOnlySpan<float> Noise(int draw) => Row("noise", draw, ImageLength);

    /// <summary>x after k steps; [0] is x_T (after temperature), [S] the final sample.</summary>
    public ReadOnlySpan<float> XT(int k) => Row("x_t", k, ImageLength);

    /// <summary>The clamped x0 at spaced index i.</summary>
    public ReadOnlySpan<float> PredXStart(int i) => Row("pred_xstart", i, ImageLength);

    public InpaintDenoiser? Denoiser() =>
        _npz.TryGet("inpaint_image", out var image)
            ? new InpaintDenoiser(image.AsSingle(), Get("inpaint_mask").AsSingle())
            : null;

    public float[] InpaintImage() => Get("inpaint_image").AsSingle();

    public float[] InpaintMask() => Get("inpaint_mask").AsSingle();

    public override string ToString() => Name;

    private NpyArray Get(string key) => _npz[key];

    private ReadOnlySpan<float> Row(string key, int index, int length) =>
        Get(key).AsSingle().AsSpan(index * length, length);
}
