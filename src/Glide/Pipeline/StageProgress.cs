namespace Glide.Pipeline;

/// <summary>Progress of one stage: <paramref name="Step"/> of <paramref name="Steps"/> diffusion steps done.</summary>
public readonly record struct StageProgress(string Stage, int Step, int Steps);
