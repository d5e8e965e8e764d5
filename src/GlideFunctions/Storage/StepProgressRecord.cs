namespace GlideFunctions.Storage;

/// <summary>
/// How far one activity of a run is: <paramref name="Step"/> of <paramref name="Of"/> diffusion steps done in part
/// <paramref name="Part"/> (a base chunk, or an output image) of <paramref name="Stage"/>.
/// </summary>
public sealed record StepProgressRecord(string Stage, int Part, int Step, int Of);
