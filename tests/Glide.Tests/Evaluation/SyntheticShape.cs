using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

/// <summary>One shape to draw: kind, colour (0–255, jitter applied), centre and half-extent in image fractions.</summary>
internal sealed record SyntheticShape(ShapeKind Kind, (int R, int G, int B) Colour, double Cx, double Cy, double R)
{
    /// <summary>Whether the point (x, y), in image fractions, is inside (the world's geometry, world.py/render.py).</summary>
    public bool Contains(double x, double y)
    {
        var dx = x - Cx;
        var dy = y - Cy;
        return Kind switch
        {
            ShapeKind.Circle => (dx * dx) + (dy * dy) <= R * R,
            ShapeKind.Square => Math.Max(Math.Abs(dx), Math.Abs(dy)) <= 0.9 * R,
            // Apex (cx, cy − r), base corners (cx ± r, cy + r): below the apex, above the base, 2|dx| ≤ dy + r.
            ShapeKind.Triangle => dy <= R && 2 * Math.Abs(dx) <= dy + R,
            ShapeKind.Diamond => Math.Abs(dx) + Math.Abs(dy) <= R,
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown shape"),
        };
    }
}
