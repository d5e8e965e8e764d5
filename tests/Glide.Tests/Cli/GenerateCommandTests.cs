using Glide.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Cli;

/// <summary><c>glide generate</c> end to end on the bundled tiny model: PNGs out, clear errors and exit codes.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void WritesOnePngPerImageWithTheDefaultModel()
    {
        var path = Path.Combine(_temp.Path, "out.png");
        var (code, output, error) = Run("generate", "a corgi", "-o", path, "-n", "2", "--seed", "5",
            "--base-steps", "10", "--upsample-steps", "10");

        Assert.True(code == 0, error);
        Assert.Contains("tiny random-weight test model", output);
        Assert.Contains("seed 6", output);
        foreach (var name in new[] { "out-0.png", "out-1.png" })
        {
            using var image = Image.Load<Rgb24>(Path.Combine(_temp.Path, name));
            Assert.Equal(256, image.Width);
            Assert.Equal(256, image.Height);
        }
    }

    [Fact]
    public void TheSameSeedWritesTheSameBytes()
    {
        var a = Path.Combine(_temp.Path, "a.png");
        var b = Path.Combine(_temp.Path, "b.png");
        string[] common = ["--seed", "3", "--base-steps", "10", "--upsample-steps", "10"];
        Assert.Equal(0, Run(["generate", "a corgi", "-o", a, .. common]).Code);
        Assert.Equal(0, Run(["generate", "a corgi", "-o", b, .. common]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void ReferenceNoiseReproducesTheReferenceRun()
    {
        // The committed reference runs: tiny base "100" with CFG 3.0, then the tiny upsampler "fast27".
        var noise = RepoRoot.Combine("tests", "fixtures", "trajectories");
        var path = Path.Combine(_temp.Path, "ref.png");
        var (code, _, error) = Run("generate", "an oil painting of a corgi", "-o", path,
            "--noise-from", Path.Combine(noise, "base-100.noise.npy"),
            "--upsample-noise-from", Path.Combine(noise, "upsample-fast27.noise.npy"));
        Assert.True(code == 0, error);

        var expected = Glide.Tensors.NpzReader.Read(Path.Combine(noise, "upsample-fast27.npz"))["final"].AsSingle();
        var expectedRgb = Glide.Imaging.ImageQuantizer.ToRgb24(expected, 256, 256);
        using var image = Image.Load<Rgb24>(path);
        var actual = new byte[3 * 256 * 256];
        image.CopyPixelDataTo(actual);
        // The CLI upsamples its own base output, which differs from the reference's by float noise (≤ 1e-4); where
        // that flips a quantized low_res level the upsampler's output moves locally. So: nearly every pixel within
        // one level (each stage alone is held to the reference in TrajectoryTests).
        var differences = expectedRgb.Zip(actual, (e, x) => Math.Abs(e - x)).ToArray();
        var overOne = differences.Count(d => d > 1);
        Assert.True(
            overOne <= differences.Length / 1000,
            $"{overOne} of {differences.Length} channel values differ by more than one level (max {differences.Max()})");
    }

    [Theory]
    [InlineData("--base-steps", "fast28", "fast28")]
    [InlineData("--upsample-steps", "abc", "abc")]
    [InlineData("--count", "0", "count")]
    [InlineData("--guidance", "NaN", "guidance")]
    [InlineData("--model-dir", "/nonexistent/models", "model directory not found")]
    [InlineData("--device", "tpu", "tpu")]
    [InlineData("--noise-from", "/nonexistent/noise.npy", "noise.npy")]
    [InlineData("--upsample-sampler", "euler", "euler")]
    public void BadArgumentsExitWithTwoAndAMessage(string option, string value, string needle)
    {
        var path = Path.Combine(_temp.Path, "bad.png");
        var (code, _, error) = Run("generate", "a corgi", "-o", path, option, value);
        Assert.Equal(2, code);
        Assert.Contains(needle, error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void TheUpsampleSamplerOptionOverridesTheModels()
    {
        // The tiny model's manifest names no sampler, so DDIM is its default; ancestral steps draw another image.
        string[] common = ["--seed", "4", "--base-steps", "3", "--upsample-steps", "4"];
        var paths = new[] { "default", "ddim", "ancestral" }.Select(n => Path.Combine(_temp.Path, n + ".png")).ToArray();
        Assert.Equal(0, Run(["generate", "a corgi", "-o", paths[0], .. common]).Code);
        Assert.Equal(0, Run(["generate", "a corgi", "-o", paths[1], "--upsample-sampler", "ddim", .. common]).Code);
        Assert.Equal(0, Run(["generate", "a corgi", "-o", paths[2], "--upsample-sampler", "ancestral", .. common]).Code);
        Assert.Equal(File.ReadAllBytes(paths[0]), File.ReadAllBytes(paths[1]));
        Assert.NotEqual(File.ReadAllBytes(paths[1]), File.ReadAllBytes(paths[2]));
    }

    [Fact]
    public void OutputDirWritesOneFilePerSeed()
    {
        var (code, _, error) = Run("generate", "a corgi", "--output-dir", _temp.Path, "-n", "2", "--seed", "40",
            "--base-steps", "5", "--upsample-steps", "5");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(_temp.Path, "glide-40.png")));
        Assert.True(File.Exists(Path.Combine(_temp.Path, "glide-41.png")));
    }

    [Fact]
    public void OutputAndOutputDirTogetherAreRefused()
    {
        var (code, _, error) = Run("generate", "a corgi", "-o", Path.Combine(_temp.Path, "a.png"), "--output-dir", _temp.Path);
        Assert.Equal(2, code);
        Assert.Contains("not both", error);
    }

    [Fact]
    public void AMissingOutputFolderIsRefusedBeforeAnyWork()
    {
        var path = Path.Combine(_temp.Path, "no", "such", "folder", "x.png");
        var (code, output, error) = Run("generate", "a corgi", "-o", path);
        Assert.Equal(2, code);
        Assert.Contains("output folder does not exist", error);
        Assert.DoesNotContain("wrote", output);
    }

    [Fact]
    public void CandidatesAreRerankedAndOnlyTheKeptOnesAreWritten()
    {
        var path = Path.Combine(_temp.Path, "best.png");
        var (code, output, error) = Run("generate", "an oil painting of a corgi", "-o", path, "--candidates", "3",
            "--keep", "2", "--seed", "7", "--base-steps", "3", "--upsample-steps", "3");

        Assert.True(code == 0, error);
        Assert.Contains("noised-CLIP score", output);
        // The table: a header, then "candidate seed score rank [kept]" for each candidate, rank 1 the best.
        var lines = output.Split('\n');
        var header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("candidate", StringComparison.Ordinal));
        var rows = lines[(header + 1)..(header + 4)].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["0", "1", "2"], rows.Select(f => f[0]));
        Assert.Equal(["7", "8", "9"], rows.Select(f => f[1]));
        Assert.Equal(["1", "2", "3"], rows.Select(f => f[3]).Order());
        var kept = rows.Where(f => f[^1] == "kept").ToList();
        Assert.Equal(2, kept.Count);
        Assert.Equal(["1", "2"], kept.Select(f => f[3]).Order());
        foreach (var (name, rank) in new[] { ("best-0.png", "1"), ("best-1.png", "2") })
        {
            var row = kept.Single(f => f[3] == rank);
            Assert.Contains(
                $"wrote {Path.Combine(_temp.Path, name)} (seed {row[1]}, candidate {row[0]}, clip score {row[2]})",
                output,
                StringComparison.Ordinal);
            using var image = Image.Load<Rgb24>(Path.Combine(_temp.Path, name));
            Assert.Equal(256, image.Width);
        }

        Assert.False(File.Exists(Path.Combine(_temp.Path, "best-2.png")));
        Assert.Contains("rerank ", output.Split('\n').Single(l => l.StartsWith("time:", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheKeptCandidateIsNamedByItsSeedInAnOutputDir()
    {
        var (code, output, error) = Run("generate", "a corgi", "--output-dir", _temp.Path, "--candidates", "2",
            "--seed", "50", "--base-steps", "3", "--upsample-steps", "3");

        Assert.True(code == 0, error);
        var files = Directory.GetFiles(_temp.Path).Select(Path.GetFileName).ToList();
        var file = Assert.Single(files);
        Assert.Contains(file, new[] { "glide-50.png", "glide-51.png" });
        var seed = file == "glide-50.png" ? "50" : "51";
        Assert.Contains($"wrote {Path.Combine(_temp.Path, file!)} (seed {seed}, candidate", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--candidates", "2", "--keep", "3" }, "--keep must be between 1 and --candidates (2), got 3")]
    [InlineData(new[] { "--candidates", "2", "--keep", "0" }, "--keep must be between 1 and --candidates (2), got 0")]
    [InlineData(new[] { "--candidates", "0" }, "--candidates must be between 1 and 64, got 0")]
    [InlineData(new[] { "--candidates", "65" }, "--candidates must be between 1 and 64, got 65")]
    [InlineData(new[] { "--keep", "2" }, "--keep needs --candidates")]
    [InlineData(new[] { "--candidates", "4", "-n", "2" }, "give either -n/--count (no reranking) or --candidates/--keep")]
    public void BadRerankArgumentsExitWithTwoAndAMessage(string[] args, string message)
    {
        var path = Path.Combine(_temp.Path, "bad.png");
        var (code, _, error) = Run(["generate", "a corgi", "-o", path, .. args]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "bad-0.png")));
    }

    [Fact]
    public void RerankingWithAModelDirectoryWithoutClipExitsWithTwoBeforeAnyWork()
    {
        var models = TinyModelWithout.Write(_temp.Combine("no-clip"), "clip");
        var path = Path.Combine(_temp.Path, "x.png");

        var (code, output, error) = Run("generate", "a corgi", "-o", path, "--candidates", "2", "--model-dir", models);

        Assert.Equal(2, code);
        Assert.Contains($"the model directory {models} has no clip graphs (clip.text, clip.image)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("base:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", output, StringComparison.Ordinal);

        // The same directory still generates without reranking.
        Assert.Equal(0, Run("generate", "a corgi", "-o", path, "--model-dir", models, "--base-steps", "2",
            "--upsample-steps", "2").Code);
    }

    public void Dispose() => _temp.Dispose();
}
