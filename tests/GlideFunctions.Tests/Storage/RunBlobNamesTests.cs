using GlideFunctions.Storage;

namespace GlideFunctions.Tests.Storage;

public sealed class RunBlobNamesTests
{
    private const string Run = "r-01";

    [Fact]
    public void Every_stage_writes_under_runs_id_stage()
    {
        Assert.Equal("runs/r-01/", RunBlobNames.RunPrefix(Run));
        Assert.Equal("runs/r-01/text/base.xf_proj.npy", RunBlobNames.Text(Run, "base.xf_proj"));
        Assert.Equal("runs/r-01/base/0.npy", RunBlobNames.BaseChunk(Run, 0));
        Assert.Equal("runs/r-01/base/12.png", RunBlobNames.BasePreview(Run, 12));
        Assert.Equal("runs/r-01/rerank/scores.npy", RunBlobNames.RerankScores(Run));
        Assert.Equal("runs/r-01/up/3.npy", RunBlobNames.Upsampled(Run, 3));
        Assert.Equal("runs/r-01/images/3.png", RunBlobNames.Image(Run, 3));
        Assert.Equal("runs/r-01/progress/base-3.json", RunBlobNames.Progress(Run, "base", 3));
        Assert.Equal("runs/r-01/cancel.json", RunBlobNames.CancelRequest(Run));
    }

    [Fact]
    public void A_run_prefix_is_not_the_prefix_of_a_longer_run_id()
    {
        var prefix = RunBlobNames.RunPrefix("a");

        Assert.False(RunBlobNames.Image("ab", 0).StartsWith(prefix, StringComparison.Ordinal));
        Assert.False(RunBlobNames.Image("a-b", 0).StartsWith(prefix, StringComparison.Ordinal));
        Assert.StartsWith(prefix, RunBlobNames.Image("a", 0), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("Batch_07-b")]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public void Accepts_ids_of_letters_digits_dashes_and_underscores(string runId)
    {
        Assert.True(RunBlobNames.IsValidRunId(runId));
        Assert.Equal($"runs/{runId}/", RunBlobNames.RunPrefix(runId));
    }

    [Fact]
    public void Accepts_ids_up_to_the_maximum_length()
    {
        var longest = new string('a', RunBlobNames.MaxRunIdLength);

        Assert.Equal($"runs/{longest}/progress/upsample-0.json", RunBlobNames.Progress(longest, "upsample", 0));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a b")]
    [InlineData(" a")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a.b")]
    [InlineData("-a")]
    [InlineData("_a")]
    [InlineData("a\n")]
    [InlineData("é")]
    [InlineData("a%2Fb")]
    public void Rejects_ids_that_could_escape_or_blur_the_run_prefix(string runId)
    {
        var error = Assert.Throws<ArgumentException>(() => RunBlobNames.Image(runId, 0));

        Assert.Equal("runId", error.ParamName);
        Assert.Contains("run id", error.Message, StringComparison.Ordinal);
        Assert.False(RunBlobNames.IsValidRunId(runId));
    }

    [Fact]
    public void Rejects_a_null_id()
    {
        var error = Assert.Throws<ArgumentException>(() => RunBlobNames.RequireRunId(null));

        Assert.Contains("(null)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_ids_longer_than_the_maximum_naming_the_length()
    {
        var tooLong = new string('a', 200);

        var error = Assert.Throws<ArgumentException>(() => RunBlobNames.RunPrefix(tooLong));

        Assert.Contains("200 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains($"1 to {RunBlobNames.MaxRunIdLength}", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(
            () => RunBlobNames.RunPrefix(new string('a', RunBlobNames.MaxRunIdLength + 1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../base.xf_proj")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Rejects_text_names_that_are_not_one_plain_segment(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => RunBlobNames.Text(Run, name));

        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void Rejects_negative_indices()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBlobNames.BaseChunk(Run, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBlobNames.BasePreview(Run, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBlobNames.Upsampled(Run, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBlobNames.Image(Run, -1));
    }
}
