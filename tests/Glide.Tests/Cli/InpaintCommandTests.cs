using Glide.Cli;
using Glide.Imaging;
using Glide.Tests.Imaging;
using Glide.Testing;
using Glide.Tests.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Cli;

/// <summary><c>glide inpaint</c> end to end on the bundled tiny models: PNGs out, kept pixels exact, bad files refused.</summary>
public sealed class InpaintCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _image;
    private readonly string _mask;

    public InpaintCommandTests()
    {
        _image = Save(InpaintFixture.Image("source"), "source.png");
        _mask = Save(InpaintFixture.Image("mask_source"), "mask.png");
    }

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void WritesImagesWhoseKeptRegionIsTheSource()
    {
        var path = _temp.Combine("out.png");
        var (code, output, error) = Run("inpaint", "a corgi in a field", "--image", _image, "--mask", _mask, "-o", path,
            "-n", "2", "--seed", "3", "--base-steps", "4", "--upsample-steps", "4");
        Assert.True(code == 0, error);
        Assert.Contains("93×75 resized to 64×64 and 256×256", output);
        Assert.Contains("stretched", output);
        Assert.Contains("keeps 1,743 of 4,096", output);
        Assert.Contains("seed 4", output);
        Assert.Contains("time: load", output);
        Assert.Contains("upsample: step 4/4", error);

        var source = BicubicResampler.Resize(InpaintFixture.Image("source"), 256, 256).Pixels.ToArray();
        var mask = InpaintMask.Upsample(InpaintMask.FromImage(InpaintFixture.Image("mask_source"), 64), 64, 4);
        foreach (var name in new[] { "out-0.png", "out-1.png" })
        {
            var written = PngImageReader.ReadFile(_temp.Combine(name), "output");
            Assert.Equal((256, 256), (written.Width, written.Height));
            for (var p = 0; p < 256 * 256; p++)
            {
                if (mask[p] == 1f && !written.Pixels.Slice(3 * p, 3).SequenceEqual(source.AsSpan(3 * p, 3)))
                {
                    Assert.Fail($"{name}: kept pixel {p} differs from the source");
                }
            }
        }
    }

    [Fact]
    public void KeepTopRowsNeedsNoMaskFileAndRunsTheDefaultSchedules()
    {
        var path = _temp.Combine("top.png");
        var (code, output, error) = Run("inpaint", "a corgi in a field", "--image", _image, "--keep-top-rows", "20",
            "-o", path, "--base-steps", "3");
        Assert.True(code == 0, error);
        Assert.Contains("keeps 1,280 of 4,096", output);
        Assert.Contains("upsample: step 27/27", error); // fast27, ancestral
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void WithoutModelDirItRunsTheBundledTinySetSinceGlideShapesHasNoInpaintingModels()
    {
        var path = _temp.Combine("default.png");

        // The command line's own entry point: glide-shapes is every other command's default.
        var (code, output, error) = CliRunner.RunAsShipped(
            "inpaint", "a corgi", "--image", _image, "--keep-top-rows", "20", "-o", path, "--base-steps", "3",
            "--upsample-steps", "3");

        Assert.True(code == 0, error);
        Assert.Contains("note: using " + DefaultModel.BundledInpaint.Description, output);
        Assert.Equal(256, PngImageReader.ReadFile(path, "output").Width);
    }

    [Theory]
    [InlineData("truncated", "image", "truncated")]
    [InlineData("corrupt", "image", "CRC")]
    [InlineData("bomb", "image", "100000×100000")]
    [InlineData("jpeg", "image", "not a PNG")]
    [InlineData("missing", "image", "file not found")]
    [InlineData("white", "mask", "nothing to generate")]
    [InlineData("truncated", "mask", "truncated")]
    public void BadFilesExitWithTwoAndAMessage(string kind, string which, string needle)
    {
        var bad = _temp.Combine($"bad-{kind}.png");
        var good = File.ReadAllBytes(which == "image" ? _image : _mask);
        switch (kind)
        {
            case "truncated":
                File.WriteAllBytes(bad, good[..(good.Length / 2)]);
                break;
            case "corrupt":
                good[good.Length / 2] ^= 0x20;
                File.WriteAllBytes(bad, good);
                break;
            case "bomb":
                File.WriteAllBytes(bad, PngBytes.Assemble(
                    [("IHDR", PngBytes.Header(100_000, 100_000)), ("IDAT", [0x78, 0x9C, 0x03, 0x00, 0, 0, 0, 1]), ("IEND", [])]));
                break;
            case "jpeg":
                File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0, 0]);
                break;
            case "white":
                Save(new RgbImage(8, 8, Enumerable.Repeat((byte)255, 192).ToArray()), Path.GetFileName(bad));
                break;
            case "missing":
                break;
        }

        var path = _temp.Combine("out.png");
        var (code, output, error) = Run("inpaint", "a corgi", "--image", which == "image" ? bad : _image,
            "--mask", which == "mask" ? bad : _mask, "-o", path);
        Assert.Equal(2, code);
        Assert.Contains($"glide inpaint: {which}: ", error);
        Assert.Contains(needle, error);
        Assert.DoesNotContain("note: using", output); // refused before loading any model
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("no mask", "give a mask")]
    [InlineData("both", "not both")]
    [InlineData("rows", "--keep-top-rows must be between 0 and 63")]
    [InlineData("invert", "--invert-mask applies to --mask only")]
    [InlineData("no image", "--image")]
    [InlineData("steps", "fast28")]
    [InlineData("count", "count")]
    [InlineData("model dir", "model directory not found")]
    [InlineData("no inpaint models", "base-inpaint")]
    public void BadArgumentsExitWithTwoAndAMessage(string kind, string needle)
    {
        var path = _temp.Combine("out.png");
        string[] args = kind switch
        {
            "no mask" => ["--image", _image],
            "both" => ["--image", _image, "--mask", _mask, "--keep-top-rows", "20"],
            "rows" => ["--image", _image, "--keep-top-rows", "64"],
            "invert" => ["--image", _image, "--keep-top-rows", "20", "--invert-mask"],
            "no image" => ["--mask", _mask],
            "steps" => ["--image", _image, "--mask", _mask, "--upsample-steps", "fast28"],
            "count" => ["--image", _image, "--mask", _mask, "-n", "0"],
            "model dir" => ["--image", _image, "--mask", _mask, "--model-dir", "/nonexistent/models"],
            _ => ["--image", _image, "--mask", _mask, "--model-dir", BaseOnlyModel()],
        };
        var (code, _, error) = Run(["inpaint", "a corgi", "-o", path, .. args]);
        Assert.Equal(2, code);
        Assert.Contains(needle, error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void CancellationWritesNothing()
    {
        var path = _temp.Combine("out.png");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();
        var code = Glide.Cli.InpaintCommand.Execute(
            new Glide.Pipeline.InpaintRequest { Prompt = "a corgi", BaseSteps = "2", UpsampleSteps = "2" },
            new Glide.Cli.InpaintCommand.Settings(_image, _mask, false, null, path, null, Glide.Models.ExecutionDevice.Cpu),
            CliRunner.Tiny, output, error, canceled.Token);
        Assert.Equal(130, code);
        Assert.Contains("canceled", error.ToString());
        Assert.False(File.Exists(path));
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>A copy of the tiny model directory without the inpainting models.</summary>
    private string BaseOnlyModel() => TinyModelWithout.Write(_temp.Combine("base-only"), "base-inpaint", "upsample-inpaint");

    private string Save(RgbImage image, string name)
    {
        var path = _temp.Combine(name);
        using var picture = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        picture.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Rgb });
        return path;
    }
}
