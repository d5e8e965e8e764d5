using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class NotFoundProblemTests
{
    [Fact]
    public async Task Answers_404_problem_json_naming_the_id()
    {
        var (status, contentType, body) = await ProblemResults.ExecuteAsync(
            NotFoundProblem.Create("g-nothing", "/api/v1/generations/g-nothing"));

        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("Not Found", body.GetProperty("title").GetString());
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.Equal("There is no generation with the id 'g-nothing'.", body.GetProperty("detail").GetString());
        Assert.Equal("/api/v1/generations/g-nothing", body.GetProperty("instance").GetString());
        Assert.False(body.TryGetProperty("errors", out _));
    }
}
