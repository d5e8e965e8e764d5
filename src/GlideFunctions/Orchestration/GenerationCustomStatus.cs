namespace GlideFunctions.Orchestration;

/// <summary>The orchestration's <c>customStatus</c>: the stage now running (<c>Glide.Pipeline.StageNames</c>).</summary>
public sealed record GenerationCustomStatus(string Stage);
