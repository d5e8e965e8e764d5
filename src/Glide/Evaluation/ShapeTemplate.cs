namespace Glide.Evaluation;

/// <summary>
/// The world's shapes as ideal outlines (src/export/glide_shapes/render.py <c>_signed_distance</c>) fitted to a
/// blob by its moments: the same area, and the same centroid (a triangle's centroid lies r/3 below its centre).
/// Fitting by area and centroid rather than by bounding box keeps the fit when blur rounds off a shape's tips.
/// </summary>
public static class ShapeTemplate
{
    /// <summary>Whether offset (dx, dy) from the centre, y down, is inside shape <paramref name="kind"/> of
    /// half-extent <paramref name="r"/>.</summary>
    public static bool Contains(ShapeKind kind, double dx, double dy, double r) => kind switch
    {
        ShapeKind.Circle => (dx * dx) + (dy * dy) <= r * r,
        ShapeKind.Square => Math.Max(Math.Abs(dx), Math.Abs(dy)) <= 0.9 * r,
        ShapeKind.Triangle => dy <= r && 2 * Math.Abs(dx) <= dy + r,
        ShapeKind.Diamond => Math.Abs(dx) + Math.Abs(dy) <= r,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shape"),
    };

    /// <summary>The half-extent r at which shape <paramref name="kind"/> covers <paramref name="area"/>.</summary>
    public static double HalfExtent(ShapeKind kind, double area) => kind switch
    {
        ShapeKind.Circle => Math.Sqrt(area / Math.PI),        // π r²
        ShapeKind.Square => Math.Sqrt(area) / 1.8,            // (1.8 r)²
        ShapeKind.Triangle or ShapeKind.Diamond => Math.Sqrt(area / 2), // 2 r²
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shape"),
    };

    /// <summary>
    /// Intersection over union of a blob and shape <paramref name="kind"/> fitted to it, in [0, 1]: 1 for a blob
    /// that is exactly that shape. Ideal pixels are those whose centre lies inside the fitted outline.
    /// </summary>
    /// <param name="blob">The blob's pixels as a mask over the image.</param>
    /// <param name="pixels">The blob's pixel indices (y · width + x).</param>
    /// <param name="width">Image width.</param>
    /// <param name="kind">The shape to fit.</param>
    public static double Overlap(bool[] blob, IReadOnlyCollection<int> pixels, int width, ShapeKind kind)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(pixels);
        var height = blob.Length / width;
        double sumX = 0, sumY = 0;
        foreach (var p in pixels)
        {
            sumX += (p % width) + 0.5;
            sumY += (p / width) + 0.5;
        }

        var area = (double)pixels.Count;
        var r = HalfExtent(kind, area);
        var cx = sumX / area;
        var cy = (sumY / area) - (kind == ShapeKind.Triangle ? r / 3 : 0);
        var ideal = 0;
        var common = 0;
        for (var y = (int)Math.Floor(cy - r) - 1; y <= (int)Math.Ceiling(cy + r) + 1; y++)
        {
            for (var x = (int)Math.Floor(cx - r) - 1; x <= (int)Math.Ceiling(cx + r) + 1; x++)
            {
                if (!Contains(kind, x + 0.5 - cx, y + 0.5 - cy, r))
                {
                    continue;
                }

                ideal++;
                common += x >= 0 && y >= 0 && x < width && y < height && blob[(y * width) + x] ? 1 : 0;
            }
        }

        return common / (area + ideal - common);
    }
}
