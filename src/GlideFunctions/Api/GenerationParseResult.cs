using System.Diagnostics.CodeAnalysis;

namespace GlideFunctions.Api;

/// <summary>
/// Either a valid <see cref="Input"/> (and, for queue messages, the client's <see cref="ClientId"/>) or every
/// <see cref="Errors"/> found, never both.
/// </summary>
public sealed class GenerationParseResult
{
    private GenerationParseResult(GenerationInput? input, string? clientId, IReadOnlyList<FieldError> errors)
    {
        Input = input;
        ClientId = clientId;
        Errors = errors;
    }

    [MemberNotNullWhen(true, nameof(Input))]
    public bool IsValid => Input is not null;

    public GenerationInput? Input { get; }

    /// <summary>The body's <c>id</c>; only ever set for parsers that allow it (queue messages).</summary>
    public string? ClientId { get; }

    /// <summary>Every problem found, in body order; empty when <see cref="IsValid"/>.</summary>
    public IReadOnlyList<FieldError> Errors { get; }

    public static GenerationParseResult Success(GenerationInput input, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new(input, clientId, []);
    }

    public static GenerationParseResult Failure(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("a failed parse needs at least one error", nameof(errors));
        }

        return new(null, null, errors);
    }
}
