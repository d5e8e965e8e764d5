using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace GlideFunctions.Api;

/// <summary>
/// 400 Bad Request naming every invalid field: the answer to a <see cref="GenerationParseResult"/> failure.
/// </summary>
public static class ValidationProblem
{
    public const string Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1";

    public const string Title = "One or more fields are invalid.";

    /// <summary>The 400 response for <paramref name="errors"/> at <paramref name="instance"/> (the path).</summary>
    public static IActionResult Create(IReadOnlyList<FieldError> errors, string? instance) =>
        Document(errors, instance).ToResult();

    public static ProblemDocument Document(IReadOnlyList<FieldError> errors, string? instance)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("a validation problem needs at least one error", nameof(errors));
        }

        var byField = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var error in errors)
        {
            if (!byField.TryGetValue(error.Field, out var messages))
            {
                byField[error.Field] = messages = [];
            }

            messages.Add(error.Message);
        }

        return new ProblemDocument
        {
            Type = Type,
            Title = Title,
            Status = StatusCodes.Status400BadRequest,
            Detail = byField.Count == 1 && errors.Count == 1
                ? errors[0].Message
                : $"{byField.Count} field(s) are invalid: {string.Join(", ", byField.Keys)}. See errors.",
            Instance = instance,
            Errors = byField.ToDictionary(
                pair => pair.Key, IReadOnlyList<string> (pair) => pair.Value, StringComparer.Ordinal),
        };
    }
}
