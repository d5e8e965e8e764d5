namespace Glide.Evaluation;

/// <summary>One generated image and the analyzer's verdict on it.</summary>
public sealed record EvalImageResult(EvalImage Image, SceneAnalysis Analysis);
