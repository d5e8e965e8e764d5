namespace Glide.Evaluation;

/// <summary>A named colour of the glide-shapes renderer, 8-bit RGB before the training jitter.</summary>
public sealed record PaletteColour(string Name, byte R, byte G, byte B)
{
    /// <summary>Squared Euclidean distance to (r, g, b) in RGB.</summary>
    public int DistanceSquared(int r, int g, int b)
    {
        var dr = R - r;
        var dg = G - g;
        var db = B - b;
        return (dr * dr) + (dg * dg) + (db * db);
    }

    public override string ToString() => Name;
}
