using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace GlideFunctions.Api;

/// <summary>404 Not Found for a generation id that names nothing (malformed ids included).</summary>
public static class NotFoundProblem
{
    public const string Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5";

    public const string Title = "Not Found";

    public static IActionResult Create(string id, string? instance) => Document(id, instance).ToResult();

    public static ProblemDocument Document(string id, string? instance)
    {
        ArgumentNullException.ThrowIfNull(id);
        return new()
        {
            Type = Type,
            Title = Title,
            Status = StatusCodes.Status404NotFound,
            Detail = $"There is no generation with the id {Texts.Quote(id)}.",
            Instance = instance,
        };
    }
}
