using System.Text.Json;
using System.Text.Json.Nodes;
using Glide.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Cli;

/// <summary><c>glide eval</c> end to end on the bundled tiny model: table, JSON report, saved images, errors.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private const string Captions =
        """
        {"id": "eval-000", "caption": "a red circle on the left", "background": "white", "objects": [{"shape": "circle", "colour": "red", "region": "left", "size": null}]}
        {"id": "eval-001", "caption": "a blue square above a green triangle", "background": null, "objects": [{"shape": "square", "colour": "blue", "region": "top", "size": null}, {"shape": "triangle", "colour": "green", "region": "bottom", "size": "small"}]}
        {"id": "eval-002", "caption": "a pink diamond in the centre", "background": null, "objects": [{"shape": "diamond", "colour": "pink", "region": "centre", "size": null}]}

        """;

    private readonly TempDirectory _temp = new();

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    private string CaptionsFile(string text = Captions)
    {
        var path = _temp.Combine($"captions-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EvaluatesEverySettingAndWritesTheReport()
    {
        var json = _temp.Combine("eval.json");
        var images = _temp.Combine("images");

        var (code, output, error) = Run("eval", "--captions", CaptionsFile(), "--limit", "2", "--guidance", "1,3",
            "--candidates", "2", "--base-steps", "4", "--seed", "7", "--json", json, "--save-dir", images);

        Assert.True(code == 0, error);
        Assert.Contains("tiny random-weight test model", output);
        Assert.Contains("setting      captions  images  colour   shape  all correct  seconds", output);
        foreach (var setting in new[] { "g1 ", "g1-clip1of2 ", "g3 ", "g3-clip1of2 " })
        {
            Assert.Contains(output.Split('\n'), line => line.StartsWith(setting, StringComparison.Ordinal) && line.Contains("       2       2 "));
        }

        Assert.Contains("eval g3-clip1of2: 2/2 eval-001:", error);

        var report = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(7, (long)report["seed"]!);
        Assert.Equal("4", (string)report["base_steps"]!);
        var settings = report["settings"]!.AsArray();
        Assert.Equal(["g1", "g1-clip1of2", "g3", "g3-clip1of2"], settings.Select(s => (string)s!["name"]!));
        foreach (var setting in settings)
        {
            Assert.Equal(2, (int)setting!["captions"]!);
            Assert.Equal(2, (int)setting["images"]!);
            Assert.Equal(3, (int)setting["objects"]!);
            var results = setting["results"]!.AsArray();
            Assert.Equal(["eval-000", "eval-001"], results.Select(r => (string)r!["id"]!));
            Assert.Equal([7L, 8L], results.Select(r => (long)r!["seed"]!));
            var reranked = (bool)setting["rerank"]!;
            foreach (var result in results)
            {
                var image = Assert.Single(result!["images"]!.AsArray())!;
                Assert.Equal(64, (int)image["size"]!);
                Assert.Equal(reranked, image["clip_score"] is not null);
                var objects = image["objects"]!.AsArray();
                Assert.Equal((string)result["id"]! == "eval-000" ? 1 : 2, objects.Count);
                foreach (var found in objects)
                {
                    Assert.NotNull(found!["colour_correct"]);
                    Assert.NotNull(found["shape_correct"]);
                    Assert.True(found.AsObject().ContainsKey("detected_colour"));
                }

                var file = (string)image["file"]!;
                using var png = Image.Load<Rgb24>(file);
                Assert.Equal(64, png.Width);
            }
        }

        Assert.True(File.Exists(Path.Combine(images, "g3-clip1of2-eval-001.png")));
        Assert.Equal(8, Directory.GetFiles(images, "*.png").Length);
    }

    [Fact]
    public void WithUpsamplingTheReportNamesTheSamplerUsed()
    {
        // The tiny model's manifest names none, so DDIM; --upsample-sampler ancestral draws other 256×256 images.
        string[] common = ["eval", "--captions", CaptionsFile(), "--limit", "1", "--base-steps", "3", "--upsample",
            "--upsample-steps", "3"];
        var reports = new Dictionary<string, JsonNode>();
        var pictures = new Dictionary<string, byte[]>();
        foreach (var sampler in new[] { "model", "ancestral" })
        {
            var json = _temp.Combine($"{sampler}.json");
            var images = _temp.Combine(sampler);
            string[] extra = sampler == "model" ? [] : ["--upsample-sampler", sampler];
            var (code, _, error) = Run([.. common, "--json", json, "--save-dir", images, .. extra]);
            Assert.True(code == 0, error);
            reports[sampler] = JsonNode.Parse(File.ReadAllText(json))!;
            pictures[sampler] = File.ReadAllBytes(Path.Combine(images, "g3-eval-000.png"));
        }

        Assert.Equal("ddim", (string)reports["model"]["upsample_sampler"]!);
        Assert.Equal("ancestral", (string)reports["ancestral"]["upsample_sampler"]!);
        Assert.NotEqual(pictures["model"], pictures["ancestral"]);
        using var image = Image.Load<Rgb24>(pictures["ancestral"]);
        Assert.Equal(256, image.Width);
    }

    [Fact]
    public void TwoRunsGiveTheSameResults()
    {
        var captions = CaptionsFile();
        var a = _temp.Combine("a.json");
        var b = _temp.Combine("b.json");
        string[] common = ["eval", "--captions", captions, "--base-steps", "3", "--seed", "5", "--guidance", "2"];

        Assert.Equal(0, Run([.. common, "--json", a]).Code);
        Assert.Equal(0, Run([.. common, "--json", b]).Code);

        Assert.Equal(WithoutTimings(a), WithoutTimings(b));
        Assert.Equal(3, (int)JsonNode.Parse(File.ReadAllText(a))!["settings"]![0]!["captions"]!);
    }

    [Fact]
    public void ABadCaptionsFileExitsWithTwoAndNamesTheLine()
    {
        var bad = Captions.Replace("\"colour\": \"pink\"", "\"colour\": \"teal\"", StringComparison.Ordinal);
        var path = CaptionsFile(bad);
        var json = _temp.Combine("never.json");

        var (code, output, error) = Run("eval", "--captions", path, "--json", json);

        Assert.Equal(2, code);
        Assert.Contains($"{path} line 3: objects[0]: unknown colour \"teal\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain("eval g3:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("setting", output, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void AMissingCaptionsFileExitsWithTwo()
    {
        var path = _temp.Combine("missing.jsonl");

        var (code, _, error) = Run("eval", "--captions", path);

        Assert.Equal(2, code);
        Assert.Contains($"captions file not found: {path}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--keep", "1" }, "--keep needs --candidates")]
    [InlineData(new[] { "--candidates", "2", "--keep", "3" }, "--keep must be between 1 and --candidates (2), got 3")]
    [InlineData(new[] { "--candidates", "0" }, "--candidates must be between 1 and 64, got 0")]
    [InlineData(new[] { "--limit", "0" }, "--limit must be at least 1, got 0")]
    [InlineData(new[] { "--guidance", "1,x" }, "--guidance takes comma-separated numbers such as 1,3; 'x' is not one")]
    [InlineData(new[] { "--base-steps", "banana" }, "BaseSteps")]
    [InlineData(new[] { "--upsample-sampler", "euler" }, "euler")]
    public void BadArgumentsExitWithTwoAndAMessage(string[] args, string message)
    {
        var (code, _, error) = Run(["eval", "--captions", CaptionsFile(), .. args]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void RerankingWithAModelWithoutClipIsRefusedBeforeAnyWork()
    {
        var models = TinyModelWithout.Write(_temp.Combine("no-clip"), "clip");

        var (code, _, error) = Run("eval", "--captions", CaptionsFile(), "--model-dir", models, "--candidates", "2");

        Assert.Equal(2, code);
        Assert.Contains($"the model directory {models} has no clip graphs (clip.text, clip.image)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("eval g3:", error, StringComparison.Ordinal);
    }

    private static string WithoutTimings(string path)
    {
        var report = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var setting in report["settings"]!.AsArray())
        {
            setting!.AsObject().Remove("seconds");
        }

        return report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public void Dispose() => _temp.Dispose();
}
