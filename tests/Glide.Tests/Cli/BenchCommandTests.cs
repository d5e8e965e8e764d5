namespace Glide.Tests.Cli;

/// <summary><c>glide bench</c> runs on the bundled tiny model (figures are printed, never asserted).</summary>
public sealed class BenchCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void TimesBothUNetsWithoutTheBaseline()
    {
        var (code, output, error) = Run("bench", "--repeats", "1", "--no-torch");
        Assert.True(code == 0, error);
        Assert.Contains("base.unet", output);
        Assert.Contains("upsample.unet", output);
        Assert.Contains("peak working set", output);
    }

    [Theory]
    [InlineData("--repeats", "0", "repeats")]
    [InlineData("--model-dir", "/nonexistent/models", "model directory not found")]
    public void BadArgumentsExitWithTwo(string option, string value, string needle)
    {
        var (code, _, error) = Run("bench", "--no-torch", option, value);
        Assert.Equal(2, code);
        Assert.Contains(needle, error);
    }
}
