using System.Text.Json;
using Glide.Cli;
using Glide.Tests.Tokenization;
using Glide.Tokenization;

namespace Glide.Tests.Cli;

/// <summary><c>glide tokenize</c>: the ids the text graphs are fed, as JSON lines, for single texts and files.</summary>
public sealed class TokenizeCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static (int Code, string Output, string Error) Run(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, input, output, error, CliRunner.Tiny);
        return (code, output.ToString(), error.ToString());
    }

    private static JsonElement[] Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private static long[] Tokens(JsonElement line) => [.. line.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt64())];

    [Fact]
    public void PrintsTheGpt2IdsOfATextAsOneJsonLine()
    {
        var (code, output, error) = Run("", "tokenize", "a red circle on the left");

        Assert.True(code == ExitCodes.Success, error);
        var line = Assert.Single(Lines(output));
        Assert.Equal("a red circle on the left", line.GetProperty("text").GetString());
        // "a", " red", " circle", " on", " the", " left" in GPT-2's vocabulary.
        Assert.Equal([64, 2266, 9197, 319, 262, 1364], Tokens(line));
        Assert.Equal(6, line.GetProperty("count").GetInt32());
        Assert.False(line.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void ClipFramesTheIdsWithStartAndEndTokens()
    {
        var (code, output, error) = Run("", "tokenize", "--clip", "a red circle on the left");

        Assert.True(code == ExitCodes.Success, error);
        var line = Assert.Single(Lines(output));
        var tokens = Tokens(line);
        Assert.Equal(ClipTokenizer.StartToken, tokens[0]);
        Assert.Equal(ClipTokenizer.EndToken, tokens[^1]);
        Assert.Equal(8, line.GetProperty("count").GetInt32());
        Assert.Equal(tokens.Length, line.GetProperty("count").GetInt32());
        Assert.False(line.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void EveryReferencePromptGetsTheReferenceIdsThroughAFile()
    {
        // Each line of the file is one prompt, so only the reference prompts without line breaks can go in it.
        var vectors = TokenizerVectors.Glide.Where(v => !v.Prompt.Contains('\n') && !v.Prompt.Contains('\r')).ToArray();
        var path = _temp.Combine("prompts.txt");
        File.WriteAllText(path, string.Join("\n", vectors.Select(v => v.Prompt)) + "\n");

        var (code, output, error) = Run("", "tokenize", "--file", path);

        Assert.True(code == ExitCodes.Success, error);
        var lines = Lines(output);
        Assert.Equal(vectors.Length, lines.Length);
        for (var i = 0; i < vectors.Length; i++)
        {
            var count = vectors[i].Mask.Count(m => m);
            Assert.Equal(vectors[i].Prompt, lines[i].GetProperty("text").GetString());
            Assert.Equal(vectors[i].PaddedTokens[..count], Tokens(lines[i]));
            Assert.Equal(count, lines[i].GetProperty("count").GetInt32());
            Assert.Equal(vectors[i].NTokens > GlideTokenizer.ContextLength, lines[i].GetProperty("truncated").GetBoolean());
        }
    }

    [Fact]
    public void EveryReferencePromptGetsTheReferenceClipIdsThroughStandardInput()
    {
        var vectors = TokenizerVectors.Clip.Where(v => !v.Prompt.Contains('\n') && !v.Prompt.Contains('\r')).ToArray();

        var (code, output, error) = Run(string.Join("\n", vectors.Select(v => v.Prompt)), "tokenize", "--clip", "--file", "-");

        Assert.True(code == ExitCodes.Success, error);
        var lines = Lines(output);
        Assert.Equal(vectors.Length, lines.Length);
        for (var i = 0; i < vectors.Length; i++)
        {
            Assert.Equal(vectors[i].PaddedTokens[..vectors[i].TextLen], Tokens(lines[i]));
            Assert.Equal(vectors[i].TextLen, lines[i].GetProperty("count").GetInt32());
        }
    }

    [Fact]
    public void TruncatesAtTheModelContextAndSaysSo()
    {
        var text = string.Join(" ", Enumerable.Repeat("word", 200));

        var glide = Assert.Single(Lines(Run("", "tokenize", text).Output));
        var clip = Assert.Single(Lines(Run("", "tokenize", "--clip", text).Output));

        Assert.Equal(GlideTokenizer.ContextLength, glide.GetProperty("count").GetInt32());
        Assert.Equal(GlideTokenizer.ContextLength, Tokens(glide).Length);
        Assert.True(glide.GetProperty("truncated").GetBoolean());
        Assert.Equal(ClipTokenizer.ContextLength, clip.GetProperty("count").GetInt32());
        Assert.Equal(ClipTokenizer.EndToken, Tokens(clip)[^1]);
        Assert.True(clip.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void ExactlyFullContextIsNotTruncated()
    {
        // " word" is one token, and so is the leading "word": 128 tokens fill the context exactly.
        var text = string.Join(" ", Enumerable.Repeat("word", GlideTokenizer.ContextLength));

        var line = Assert.Single(Lines(Run("", "tokenize", text).Output));

        Assert.Equal(GlideTokenizer.ContextLength, line.GetProperty("count").GetInt32());
        Assert.False(line.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void AnEmptyLineInAFileStillGetsItsOwnLineOut()
    {
        var (code, output, _) = Run("a\r\n\r\nb\r\n", "tokenize", "--file", "-");

        Assert.Equal(ExitCodes.Success, code);
        var lines = Lines(output);
        Assert.Equal(["a", "", "b"], lines.Select(l => l.GetProperty("text").GetString()));
        Assert.Equal(0, lines[1].GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData]
    [InlineData("text", "--file", "-")]
    public void RefusesNoTextOrTwoTexts(params string[] extra)
    {
        var (code, output, error) = Run("", ["tokenize", .. extra]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(output);
        Assert.Contains("exactly once", error);
    }

    [Fact]
    public void AMissingFileIsBadInputAndNamed()
    {
        var path = _temp.Combine("missing.txt");

        var (code, _, error) = Run("", "tokenize", "--file", path);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(path, error);
    }

    [Fact]
    public void AnUnencodableLineIsBadInputAndNamesTheLine()
    {
        var (code, output, error) = Run("fine\nlone \uD800 surrogate\n", "tokenize", "--file", "-");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(Lines(output));
        Assert.Contains("line 2", error);
    }

    public void Dispose() => _temp.Dispose();
}
