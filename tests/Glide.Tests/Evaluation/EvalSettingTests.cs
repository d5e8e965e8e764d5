using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

public sealed class EvalSettingTests
{
    private static readonly EvalSetting Plain = new() { GuidanceScale = 3f, BaseSteps = "50" };

    [Fact]
    public void NamesAreShortAndFileSafe()
    {
        Assert.Equal("g3", Plain.Name);
        Assert.Equal("g1.5", (Plain with { GuidanceScale = 1.5f }).Name);
        Assert.Equal("g3-first2", (Plain with { Count = 2 }).Name);
        Assert.Equal("g3-clip1of4", (Plain with { Count = 4, Keep = 1 }).Name);
    }

    [Fact]
    public void ItsRequestIsWhatGenerateRunsForTheSameArguments()
    {
        var request = (Plain with { Count = 4, Keep = 2, Upsample = true }).Request("a red circle", 9);

        Assert.Equal("a red circle", request.Prompt);
        Assert.Equal(9, request.Seed);
        Assert.Equal(4, request.Count);
        Assert.Equal(2, request.Keep);
        Assert.Equal(3f, request.GuidanceScale);
        Assert.Equal("50", request.BaseSteps);
        Assert.Equal("fast27", request.UpsampleSteps);
        Assert.Null(request.NegativePrompt);
    }
}
