using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class ConflictProblemTests
{
    [Fact]
    public async Task A_reused_idempotency_key_answers_409_problem_json()
    {
        var (status, contentType, body) = await ProblemResults.ExecuteAsync(
            ConflictProblem.IdempotencyKeyReused("/api/v1/generations"));

        Assert.Equal(409, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.10", body.GetProperty("type").GetString());
        Assert.Equal("Conflict", body.GetProperty("title").GetString());
        Assert.Contains("Idempotency-Key was already used with a different request body",
            body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
