using System.Text.Json.Nodes;
using Glide.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Cli;

/// <summary><c>glide generate --guidance-mode clip</c> (glide-spec §8.4) on the bundled tiny model, and its errors.</summary>
public sealed class GenerateClipGuidanceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ClipGuidanceWritesPngsThatDifferFromClassifierFreeOnes()
    {
        var clip = Path.Combine(_temp.Path, "clip.png");
        var cfg = Path.Combine(_temp.Path, "cfg.png");
        string[] common = ["--seed", "11", "--base-steps", "3", "--upsample-steps", "2"];

        var (code, output, error) = CliRunner.Run(
            ["generate", "a corgi", "-o", clip, "--guidance-mode", "clip", "--guidance", "3", .. common]);
        Assert.True(code == 0, error);
        Assert.Contains($"wrote {clip} (seed 11)", output, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run(["generate", "a corgi", "-o", cfg, .. common]).Code);

        using var clipImage = Image.Load<Rgb24>(clip);
        Assert.Equal((256, 256), (clipImage.Width, clipImage.Height));
        Assert.NotEqual(File.ReadAllBytes(cfg), File.ReadAllBytes(clip));
    }

    [Fact]
    public void AModelDirectoryWithoutClipExitsWithTwoBeforeAnyWork()
    {
        var models = TinyModelWithout.Write(_temp.Combine("no-clip"), "clip");
        var path = Path.Combine(_temp.Path, "x.png");

        var (code, output, error) = CliRunner.Run(
            "generate", "a corgi", "-o", path, "--guidance-mode", "clip", "--model-dir", models);

        Assert.Equal(2, code);
        Assert.Contains(
            $"--guidance-mode clip needs the clip graphs (clip.text, clip.image, clip.grad), but the model directory {models} has none",
            error,
            StringComparison.Ordinal);
        Assert.DoesNotContain("base:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", output, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_clip_model_exported_without_the_gradient_graph_is_named()
    {
        var models = _temp.CopyFrom(RepoRoot.Combine("tests", "fixtures", "tiny"), "old-clip");
        var manifestPath = Path.Combine(models, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        var graphs = manifest["graphs"]!.AsArray();
        graphs.Remove(graphs.Single(g => (string?)g!["name"] == "clip.grad"));
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var (code, _, error) = CliRunner.Run(
            "generate", "a corgi", "-o", Path.Combine(_temp.Path, "x.png"), "--guidance-mode", "clip", "--model-dir", models);

        Assert.Equal(2, code);
        Assert.Contains("needs the CLIP gradient graph clip.grad", error, StringComparison.Ordinal);
        Assert.Contains("re-export the clip model", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--guidance-mode", "classifier" }, "classifier")]
    [InlineData(new[] { "--guidance-mode", "clip", "--negative-prompt", "cats" }, "negative prompt needs classifier-free guidance")]
    [InlineData(new[] { "--guidance-mode", "clip", "--guidance", "NaN" }, "guidance")]
    public void BadClipGuidanceArgumentsExitWithTwoAndAMessage(string[] args, string needle)
    {
        var path = Path.Combine(_temp.Path, "bad.png");

        var (code, _, error) = CliRunner.Run(["generate", "a corgi", "-o", path, .. args]);

        Assert.Equal(2, code);
        Assert.Contains(needle, error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(path));
    }
}
