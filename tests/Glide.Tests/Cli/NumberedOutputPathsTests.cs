using Glide.Cli;

namespace Glide.Tests.Cli;

public sealed class NumberedOutputPathsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void One_image_takes_the_path_itself()
    {
        var path = _temp.Combine("out.png");
        Assert.Equal([path], NumberedOutputPaths.For(path, 1));
    }

    [Fact]
    public void Several_images_are_numbered_before_the_extension()
    {
        Assert.Equal(
            [_temp.Combine("out-0.png"), _temp.Combine("out-1.png"), _temp.Combine("out-2.png")],
            NumberedOutputPaths.For(_temp.Combine("out.png"), 3));
        Assert.Equal(
            [_temp.Combine("out-0.png"), _temp.Combine("out-1.png")],
            NumberedOutputPaths.For(_temp.Combine("out"), 2));
    }

    [Fact]
    public void A_folder_a_blank_path_or_a_missing_folder_is_refused()
    {
        Assert.Contains("must be a PNG file path", Refusal(_temp.Path));
        Assert.Contains("must be a PNG file path", Refusal(" "));
        Assert.Contains("output folder does not exist", Refusal(_temp.Combine("missing", "out.png")));
    }

    private static string Refusal(string path) =>
        Assert.Throws<ArgumentException>(() => NumberedOutputPaths.For(path, 2)).Message;

    public void Dispose() => _temp.Dispose();
}
