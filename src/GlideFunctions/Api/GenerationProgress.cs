using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>The running stage and its diffusion steps: <paramref name="Step"/> of <paramref name="Of"/> done.</summary>
public sealed record GenerationProgress(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("of")] int Of);
