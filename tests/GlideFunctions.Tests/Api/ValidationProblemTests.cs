using System.Text.Json;
using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class ValidationProblemTests
{
    [Fact]
    public async Task Answers_400_problem_json_with_errors_grouped_by_field()
    {
        FieldError[] errors =
        [
            new("num_candidates", "num_candidates must be between 1 and 64, got 0"),
            new("webhook", "webhook must use https"),
            new("num_candidates", "a second message"),
        ];

        var (status, contentType, body) = await ProblemResults.ExecuteAsync(
            ValidationProblem.Create(errors, "/api/v1/generations"));

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(
            ["type", "title", "status", "detail", "instance", "errors"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", body.GetProperty("type").GetString());
        Assert.Equal("One or more fields are invalid.", body.GetProperty("title").GetString());
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Equal(
            "2 field(s) are invalid: num_candidates, webhook. See errors.", body.GetProperty("detail").GetString());
        Assert.Equal("/api/v1/generations", body.GetProperty("instance").GetString());
        var byField = body.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
        Assert.Equal(["num_candidates", "webhook"], byField.Keys);
        Assert.Equal(["num_candidates must be between 1 and 64, got 0", "a second message"], byField["num_candidates"]);
        Assert.Equal(["webhook must use https"], byField["webhook"]);
    }

    [Fact]
    public void A_single_error_is_the_detail()
    {
        var document = ValidationProblem.Document([new("prompt", "prompt is required")], null);

        Assert.Equal("prompt is required", document.Detail);
        Assert.DoesNotContain("instance", document.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Needs_at_least_one_error()
    {
        Assert.Throws<ArgumentException>(() => ValidationProblem.Create([], "/api/v1/generations"));
    }

    [Fact]
    public void Writes_quotes_readably_and_client_text_as_valid_json()
    {
        var json = ValidationProblem.Document([new("\"x\\", "'\"x\\' is not a field")], "/p").ToJson();

        using var parsed = JsonDocument.Parse(json);
        Assert.Equal(
            "'\"x\\' is not a field",
            parsed.RootElement.GetProperty("errors").GetProperty("\"x\\")[0].GetString());
        Assert.Contains("\"detail\":\"'\\\"x\\\\' is not a field\"", json, StringComparison.Ordinal);
    }
}
