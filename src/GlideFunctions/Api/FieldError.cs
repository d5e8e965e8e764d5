namespace GlideFunctions.Api;

/// <summary>
/// One problem with a request: <paramref name="Field"/> is the snake_case body field (<c>"prompt"</c>), a header
/// name (<c>"Idempotency-Key"</c>), or <see cref="Body"/> for the body as a whole; <paramref name="Message"/> names
/// the field again so that it reads on its own.
/// </summary>
public sealed record FieldError(string Field, string Message)
{
    /// <summary>The field of errors about the whole body (not JSON, not an object, too large): the JSON root.</summary>
    public const string Body = "$";
}
