using Glide.Cli;
using Glide.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Cli;

/// <summary>
/// The model the CLI runs without <c>--model-dir</c> (<see cref="DefaultModel.Bundled"/>, copied beside the binary at
/// build time): its directory verifies, and the README's main command draws the committed golden image.
/// </summary>
public sealed class BundledDefaultModelTests : IDisposable
{
    /// <summary>The prompt of the README's main command; it runs with the CLI's defaults (seed 0).</summary>
    private const string ReadmePrompt = "an oil painting of a corgi";

    private static readonly string GoldenPath = RepoRoot.Combine("tests", "fixtures", "golden", "default-model.png");

    private readonly TempDirectory _temp = new();

    [Fact]
    public void TheReadmeMainCommandIsTheOneTested()
    {
        var readme = File.ReadAllText(RepoRoot.Combine("README.md"));

        Assert.Contains($"dotnet run --project src/Glide.Cli -c Release -- generate \"{ReadmePrompt}\" -o ", readme);
    }

    [Fact]
    public void TheBundledModelDirectoryVerifies()
    {
        var (code, output, error) = CliRunner.Run(DefaultModel.Bundled, "verify-model", DefaultModel.Bundled.Directory);

        Assert.True(code == 0, output + error);
    }

    [Fact]
    public void TheReadmeMainCommandDrawsTheGoldenImage()
    {
        var path = _temp.Combine("out.png");

        var (code, output, error) = CliRunner.Run(DefaultModel.Bundled, "generate", ReadmePrompt, "-o", path);

        Assert.True(code == 0, error);
        Assert.Contains("note: using " + DefaultModel.Bundled.Description, output);
        using var actual = Image.Load<Rgb24>(path);
        using var golden = Image.Load<Rgb24>(GoldenPath);
        Assert.Equal((golden.Width, golden.Height), (actual.Width, actual.Height));
        var (worst, off) = Compare(golden, actual);
        // ONNX Runtime's CPU kernels may round differently across machines; one level per channel is allowed.
        Assert.True(worst <= 1,
            $"{off} pixel channel(s) differ from {GoldenPath} by more than 1 level (worst {worst}). If the bundled model "
            + $"changed on purpose, replace the golden file with the image just written: {path}");
    }

    private static (int Worst, int Off) Compare(Image<Rgb24> expected, Image<Rgb24> actual)
    {
        var worst = 0;
        var off = 0;
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                var e = expected[x, y];
                var a = actual[x, y];
                foreach (var d in new[] { Math.Abs(e.R - a.R), Math.Abs(e.G - a.G), Math.Abs(e.B - a.B) })
                {
                    worst = Math.Max(worst, d);
                    off += d > 1 ? 1 : 0;
                }
            }
        }

        return (worst, off);
    }

    public void Dispose() => _temp.Dispose();
}
