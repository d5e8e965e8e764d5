using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace GlideFunctions.Api;

/// <summary>409 Conflict: the request contradicts the state a generation is already in.</summary>
public static class ConflictProblem
{
    public const string Type = "https://tools.ietf.org/html/rfc9110#section-15.5.10";

    public const string Title = "Conflict";

    public static IActionResult Create(string detail, string? instance) => Document(detail, instance).ToResult();

    /// <summary>The <c>Idempotency-Key</c> already named a generation created from a different body.</summary>
    public static IActionResult IdempotencyKeyReused(string? instance) => Create(
        $"The {IdempotencyKey.HeaderName} was already used with a different request body. Retry with the original " +
        "body, or send a new key for a new generation.",
        instance);

    public static ProblemDocument Document(string detail, string? instance)
    {
        ArgumentException.ThrowIfNullOrEmpty(detail);
        return new()
        {
            Type = Type,
            Title = Title,
            Status = StatusCodes.Status409Conflict,
            Detail = detail,
            Instance = instance,
        };
    }
}
