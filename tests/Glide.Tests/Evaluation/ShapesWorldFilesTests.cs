using System.Text.Json;
using System.Text.RegularExpressions;
using Glide.Evaluation;
using Glide.Testing;
using Glide.Tokenization;

namespace Glide.Tests.Evaluation;

/// <summary>
/// The glide-shapes files the Python side writes and the app reads: the held-out evaluation captions, and the word
/// token table training composes caption ids from. Training must see exactly the ids the app's tokenizers produce.
/// </summary>
public sealed partial class ShapesWorldFilesTests
{
    private static readonly string ShapesDirectory = RepoRoot.Combine("src", "export", "glide_shapes");

    [Fact]
    public void The_evaluation_captions_parse_and_hold_at_least_64_unique_captions_with_named_regions()
    {
        var captions = EvalCaptionReader.Read(Path.Combine(ShapesDirectory, "eval_captions.jsonl"));

        Assert.True(captions.Count >= 64, $"{captions.Count} captions");
        Assert.Equal(captions.Count, captions.Select(c => c.Caption).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(captions, c => c.Objects.Count == 2);
        Assert.All(captions, c => Assert.InRange(c.Objects.Count, 1, 2));
    }

    [Fact]
    public void Composed_word_ids_equal_both_tokenizers_on_every_evaluation_caption()
    {
        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(ShapesDirectory, "token_table.json")));
        var glideFirst = Words(table.RootElement.GetProperty("glide_first"));
        var glideSpaced = Words(table.RootElement.GetProperty("glide_spaced"));
        var clipWords = Words(table.RootElement.GetProperty("clip"));
        var glide = new GlideTokenizer();
        var clip = new ClipTokenizer();
        var captions = EvalCaptionReader.Read(Path.Combine(ShapesDirectory, "eval_captions.jsonl"));

        foreach (var caption in captions.Select(c => c.Caption))
        {
            var words = WordPattern().Matches(caption).Select(m => m.Value).ToList();
            var composedGlide = words.SelectMany((w, i) => i == 0 || w == "," ? glideFirst[w] : glideSpaced[w]).ToArray();
            var composedClip = words.SelectMany(w => clipWords[w]).ToArray();

            Assert.Equal(glide.Encode(caption), composedGlide);
            Assert.Equal(clip.Encode(caption), composedClip);
        }
    }

    private static Dictionary<string, int[]> Words(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetInt32()).ToArray());

    [GeneratedRegex("[a-z]+|,")]
    private static partial Regex WordPattern();
}
