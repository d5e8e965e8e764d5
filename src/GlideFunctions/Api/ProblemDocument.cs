using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace GlideFunctions.Api;

/// <summary>An RFC 9457 problem details body, with the <c>errors</c> extension member of validation problems.</summary>
public sealed record ProblemDocument
{
    public const string ContentType = "application/problem+json";

    // Messages quote values with ' and "; the default encoder would write them as \u0027 and \u0022, which is
    // valid but unreadable in a terminal. Escaping for HTML is not needed: a problem+json body is never rendered
    // as markup.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A URI naming the problem type: the RFC 9110 section of the status, as ASP.NET Core writes.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>The same for every occurrence of <see cref="Type"/>.</summary>
    [JsonPropertyName("title")]
    public required string Title { get; init; }

    [JsonPropertyName("status")]
    public required int Status { get; init; }

    /// <summary>This occurrence, in words a client can show.</summary>
    [JsonPropertyName("detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    /// <summary>The request path that had the problem.</summary>
    [JsonPropertyName("instance")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Instance { get; init; }

    /// <summary>Field name to messages, fields in the order their first error was found.</summary>
    [JsonPropertyName("errors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Errors { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>
    /// The response: this document as <c>application/problem+json</c> with <see cref="Status"/>. Serialized here,
    /// not by the host's output formatters, so the shape does not depend on how the host configures JSON.
    /// </summary>
    public IActionResult ToResult() => new ContentResult
    {
        StatusCode = Status,
        ContentType = ContentType,
        Content = ToJson(),
    };
}
