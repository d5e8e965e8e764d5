using System.Text;
using System.Text.Json.Nodes;
using GlideFunctions.Bulk;

namespace GlideFunctions.Tests.Queue;

/// <summary>How <c>glide-bulk</c> turns a prompts file into messages (no storage involved).</summary>
public sealed class PromptFileTests
{
    private static readonly Dictionary<string, JsonNode?> NoDefaults = [];

    [Fact]
    public void Text_lines_become_prompts_with_numbered_ids_skipping_blanks_and_comments()
    {
        var requests = Read("p.txt", "# header\r\n\r\n a corgi \r\n   # indented comment\nnaïve café 🐕\n", "run");

        Assert.Equal(["run-0", "run-1"], requests.Select(r => r.Id));
        Assert.Equal([3, 5], requests.Select(r => r.Line));
        Assert.Equal(["a corgi", "naïve café 🐕"], requests.Select(r => r.Prompt));
        Assert.Equal("naïve café 🐕", JsonNode.Parse(requests[1].Message)!["prompt"]!.GetValue<string>());

        // Text stays readable (and a third of the size) rather than \u-escaped; only astral characters are escaped.
        Assert.Equal("""{"prompt":"naïve café \uD83D\uDC15","id":"run-1"}""", Encoding.UTF8.GetString(requests[1].Message));
    }

    [Fact]
    public void Json_lines_keep_their_fields_and_ids_and_take_set_values_only_where_absent()
    {
        var defaults = new Dictionary<string, JsonNode?> { ["num_outputs"] = 1, ["base_steps"] = "50" };

        var requests = PromptFile.Read(
            "p.jsonl",
            Encoding.UTF8.GetBytes("{\"prompt\": \"a\", \"base_steps\": \"10\"}\n{\"prompt\": \"b\", \"id\": \"mine\"}\n"),
            "run",
            defaults);

        Assert.Equal(["run-0", "mine"], requests.Select(r => r.Id));
        Assert.Equal("""{"prompt":"a","base_steps":"10","num_outputs":1,"id":"run-0"}""", Encoding.UTF8.GetString(requests[0].Message));
        Assert.Equal("""{"prompt":"b","id":"mine","num_outputs":1,"base_steps":"50"}""", Encoding.UTF8.GetString(requests[1].Message));
    }

    [Fact]
    public void The_bulk_command_knows_every_field_the_service_accepts()
    {
        // The bulk command is a client with its own copy of the field list (it does not load the service); a field
        // added to the service and missed here would be refused in prompt files and --set.
        Assert.Equal(
            GlideFunctions.Api.GenerationFields.All.Order(StringComparer.Ordinal),
            BodyFields.Kinds.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_problem_is_listed_with_its_line()
    {
        var error = Assert.Throws<BulkInputException>(() => Read(
            "p.jsonl", "{\"prompt\": 3}\n{\"prompt\": \"ok\"}\n{\"prompt\": \"x\", \"seed\": -1, \"guidance_scale\": 101}\n", "run"));

        Assert.Contains("p.jsonl has 3 problem(s); nothing was enqueued", error.Message, StringComparison.Ordinal);
        Assert.Contains("p.jsonl:1: prompt must be a string, got a number", error.Message, StringComparison.Ordinal);
        Assert.Contains("p.jsonl:3: seed must be between 0 and", error.Message, StringComparison.Ordinal);
        Assert.Contains("p.jsonl:3: guidance_scale must be between 0 and 100, got 101", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_too_large_for_a_queue_message_is_refused()
    {
        // 2,000 four-byte characters fit the prompt limit, but not, twice over, in one message.
        var prompt = string.Concat(Enumerable.Repeat("🐕", 2000));
        var line = $"{{\"prompt\": \"{prompt}\", \"negative_prompt\": \"{prompt}\", \"webhook\": \"https://example.com/{new string('a', 40000)}\"}}";

        var error = Assert.Throws<BulkInputException>(() => Read("p.jsonl", line, "run"));

        Assert.Contains("a queue message holds at most 49,152", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_are_not_UTF8_are_refused()
    {
        var error = Assert.Throws<BulkInputException>(
            () => PromptFile.Read("p.txt", [.. "caf"u8, 0xE9, (byte)'\n'], "run", NoDefaults));

        Assert.Contains("is not UTF-8 text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_run_id_follows_the_file_and_the_set_values()
    {
        var file = Encoding.UTF8.GetBytes("a corgi\n");

        var plain = PromptFile.DefaultRunId(file, []);

        Assert.Equal(plain, PromptFile.DefaultRunId([.. file], []));
        Assert.NotEqual(plain, PromptFile.DefaultRunId(Encoding.UTF8.GetBytes("a corgi!\n"), []));
        Assert.NotEqual(plain, PromptFile.DefaultRunId(file, [new("num_outputs", "1")]));
        Assert.Matches("^bulk-[0-9a-f]{10}$", plain);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h30m", 5400)]
    [InlineData("2h", 7200)]
    [InlineData("00:00:05", 5)]
    public void Durations_read_as_people_type_them(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("0s")]
    [InlineData("m")]
    [InlineData("5m1h")]
    [InlineData("")]
    public void Durations_without_a_unit_or_out_of_order_are_refused(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    private static IReadOnlyList<BulkRequest> Read(string path, string content, string runId) =>
        PromptFile.Read(path, Encoding.UTF8.GetBytes(content), runId, NoDefaults);
}
