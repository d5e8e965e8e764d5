using System.Diagnostics.CodeAnalysis;
using Glide.Pipeline;

namespace GlideFunctions.Api;

/// <summary>
/// Either a valid <see cref="Input"/> (and, for queue messages, the client's <see cref="ClientId"/>; for inpainting the
/// decoded <see cref="Inpaint"/> source and mask) or every <see cref="Errors"/> found, never both.
/// </summary>
public sealed class GenerationParseResult
{
    private GenerationParseResult(
        GenerationInput? input, string? clientId, InpaintInputs? inpaint, IReadOnlyList<FieldError> errors)
    {
        Input = input;
        ClientId = clientId;
        Inpaint = inpaint;
        Errors = errors;
    }

    [MemberNotNullWhen(true, nameof(Input))]
    public bool IsValid => Input is not null;

    public GenerationInput? Input { get; }

    /// <summary>The body's <c>id</c>; only ever set for parsers that allow it (queue messages).</summary>
    public string? ClientId { get; }

    /// <summary>
    /// The decoded, resized source and mask of an inpainting request (exactly when <see cref="GenerationInput.IsInpaint"/>),
    /// to be stored with the run; null otherwise.
    /// </summary>
    public InpaintInputs? Inpaint { get; }

    /// <summary>Every problem found, in body order; empty when <see cref="IsValid"/>.</summary>
    public IReadOnlyList<FieldError> Errors { get; }

    public static GenerationParseResult Success(GenerationInput input, string? clientId, InpaintInputs? inpaint = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsInpaint != inpaint is not null)
        {
            throw new ArgumentException(
                "an inpainting input needs its decoded source and mask, and only an inpainting input has them", nameof(inpaint));
        }

        return new(input, clientId, inpaint, []);
    }

    public static GenerationParseResult Failure(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("a failed parse needs at least one error", nameof(errors));
        }

        return new(null, null, null, errors);
    }
}
