namespace Glide.Evaluation;

/// <summary>
/// The measurements of one blob of pixels that name its shape: how well each of the world's shapes, fitted to the
/// blob (<see cref="ShapeTemplate"/>), overlaps it; and, reported for inspection, the bounding-box fill ratio
/// (square 1, circle π/4, triangle and diamond 1/2) and the width a quarter of the way down over the width three
/// quarters down (triangle 1/3, the others 1).
/// </summary>
/// <remarks>
/// Template overlap rather than fill-ratio and width-ratio thresholds: on 64×64 renders blurred 3×3 (what a
/// trained model's samples look like) blur cuts the tips of triangles and diamonds, which shrinks their boxes and
/// lifts their fill to 0.69, into the circle's range, and the thresholds mislabel about 3.5% of shapes; the fitted
/// templates mislabel about 0.1% (measured with tests/Glide.Tests/Evaluation's renderer).
/// </remarks>
/// <param name="Width">Bounding-box columns.</param>
/// <param name="Height">Bounding-box rows.</param>
/// <param name="Pixels">Pixels in the blob.</param>
/// <param name="WidthRatio">Blob pixels in the row 25% of the way down the box over those 75% down (rows
/// interpolated).</param>
/// <param name="Overlaps">Per <see cref="ShapeKind"/>, the intersection over union of the blob and that shape fitted
/// to it.</param>
public sealed record ShapeGeometry(int Width, int Height, int Pixels, double WidthRatio, IReadOnlyList<double> Overlaps)
{
    /// <summary>A blob whose best overlap is below this is no shape of the world (fitted shapes reach 0.88 and more
    /// on blurred renders).</summary>
    public const double MinimumOverlap = 0.75;

    /// <summary>Pixels / (Width · Height).</summary>
    public double Fill => (double)Pixels / ((double)Width * Height);

    /// <summary>Measures a blob: its pixels (indices y · width + x) in an image <paramref name="width"/> wide and
    /// <paramref name="height"/> high.</summary>
    public static ShapeGeometry Measure(IReadOnlyCollection<int> pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Count == 0)
        {
            throw new ArgumentException("a blob needs at least one pixel", nameof(pixels));
        }

        int left = int.MaxValue, top = int.MaxValue, right = int.MinValue, bottom = int.MinValue;
        var blob = new bool[width * height];
        foreach (var p in pixels)
        {
            blob[p] = true;
            var (y, x) = Math.DivRem(p, width);
            left = Math.Min(left, x);
            right = Math.Max(right, x);
            top = Math.Min(top, y);
            bottom = Math.Max(bottom, y);
        }

        var rows = bottom - top + 1;
        var rowCounts = new int[rows];
        foreach (var p in pixels)
        {
            rowCounts[(p / width) - top]++;
        }

        var ratio = RowWidth(rowCounts, 0.25) / Math.Max(RowWidth(rowCounts, 0.75), 0.5);
        var overlaps = Enum.GetValues<ShapeKind>().Select(k => ShapeTemplate.Overlap(blob, pixels, width, k)).ToArray();
        return new ShapeGeometry(right - left + 1, rows, pixels.Count, ratio, overlaps);
    }

    /// <summary>The best-fitting shape, or null when none fits (<see cref="MinimumOverlap"/>); ties go to the
    /// earlier shape.</summary>
    public ShapeKind? Classify()
    {
        var best = 0;
        for (var k = 1; k < Overlaps.Count; k++)
        {
            best = Overlaps[k] > Overlaps[best] ? k : best;
        }

        return Overlaps[best] >= MinimumOverlap ? (ShapeKind)best : null;
    }

    // Linear interpolation between the rows around fraction f of the way from the first row to the last.
    private static double RowWidth(int[] rowCounts, double fraction)
    {
        var position = fraction * (rowCounts.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, rowCounts.Length - 1);
        var t = position - below;
        return ((1 - t) * rowCounts[below]) + (t * rowCounts[above]);
    }
}
