namespace Glide.Evaluation;

/// <summary>One image checked against its caption: the estimated background and each promised object.</summary>
/// <param name="BackgroundRgb">The estimated background (the per-channel median of the border pixels).</param>
/// <param name="Background">The background palette colour nearest <paramref name="BackgroundRgb"/>.</param>
/// <param name="Objects">One analysis per caption object, in caption order.</param>
public sealed record SceneAnalysis(
    (byte R, byte G, byte B) BackgroundRgb, PaletteColour Background, IReadOnlyList<ObjectAnalysis> Objects)
{
    /// <summary>Every object has the named colour and shape.</summary>
    public bool AllCorrect => Objects.All(o => o.Correct);
}
