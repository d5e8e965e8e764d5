namespace Glide.Evaluation;

/// <summary>What the analyzer found where a caption promised an object.</summary>
/// <param name="Expected">The caption's object.</param>
/// <param name="DetectedColour">The dominant palette colour of the object pixels in the region, or null when the
/// region holds none.</param>
/// <param name="DetectedShape">The shape of the dominant colour's largest blob, or null when there is none or its
/// geometry fits no shape of the world.</param>
/// <param name="ObjectPixels">Pixels in the region that differ from the background.</param>
/// <param name="Geometry">The blob's measurements, or null when there is no blob.</param>
public sealed record ObjectAnalysis(
    CaptionObject Expected, PaletteColour? DetectedColour, ShapeKind? DetectedShape, int ObjectPixels, ShapeGeometry? Geometry)
{
    /// <summary>Something was found where the object should be.</summary>
    public bool Found => DetectedColour is not null;

    public bool ColourCorrect => DetectedColour?.Name == Expected.Colour.Name;

    public bool ShapeCorrect => DetectedShape == Expected.Shape;

    /// <summary>Colour and shape both correct.</summary>
    public bool Correct => ColourCorrect && ShapeCorrect;
}
