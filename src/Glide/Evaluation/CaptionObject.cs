namespace Glide.Evaluation;

/// <summary>One object a caption promises: its shape, colour, where it is and, when the caption says, its size.</summary>
/// <param name="Shape">The named shape.</param>
/// <param name="Colour">One of <see cref="ShapePalette.Objects"/>.</param>
/// <param name="Region">The named region, or <see cref="SceneRegion.Anywhere"/> when the caption names none.</param>
/// <param name="Size">"small", "medium", "large" or null: carried into reports, not checked.</param>
public sealed record CaptionObject(ShapeKind Shape, PaletteColour Colour, SceneRegion Region, string? Size);
