namespace Glide.Evaluation;

/// <summary>A caption's images under one setting, each with its analysis.</summary>
/// <param name="Caption">The caption.</param>
/// <param name="Index">Its position in the evaluated list (its seed is the base seed + this).</param>
/// <param name="Seed">The seed of its first image.</param>
/// <param name="Images">The kept images, best first when reranked.</param>
public sealed record EvalCaptionResult(EvalCaption Caption, int Index, long Seed, IReadOnlyList<EvalImageResult> Images);
