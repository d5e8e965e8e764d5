namespace Glide.Evaluation;

/// <summary>
/// The renderer's exact colours (src/export/glide_shapes/world.py <c>COLOURS</c>, <c>BACKGROUNDS</c>); training
/// jitters each channel by up to ±12 (objects) and ±8 (backgrounds), which nearest-colour classification absorbs.
/// </summary>
public static class ShapePalette
{
    /// <summary>Object colours, in the world's order (ties in a vote go to the earlier one).</summary>
    public static IReadOnlyList<PaletteColour> Objects { get; } =
    [
        new("red", 220, 40, 40),
        new("orange", 245, 140, 20),
        new("yellow", 240, 220, 40),
        new("green", 40, 170, 60),
        new("cyan", 40, 200, 220),
        new("blue", 40, 70, 220),
        new("purple", 140, 50, 190),
        new("pink", 245, 130, 190),
        new("brown", 130, 80, 30),
    ];

    public static IReadOnlyList<PaletteColour> Backgrounds { get; } =
    [
        new("white", 245, 245, 245),
        new("black", 15, 15, 15),
        new("gray", 128, 128, 128),
    ];

    /// <summary>The object colour named <paramref name="name"/> (exact, lower case), or null.</summary>
    public static PaletteColour? FindObject(string name) => Objects.FirstOrDefault(c => c.Name == name);

    /// <summary>The background named <paramref name="name"/>; "grey" is taken for "gray" (captions use both).</summary>
    public static PaletteColour? FindBackground(string name)
    {
        var canonical = name == "grey" ? "gray" : name;
        return Backgrounds.FirstOrDefault(c => c.Name == canonical);
    }

    /// <summary>The index in <paramref name="colours"/> of the colour nearest (r, g, b); the first on a tie.</summary>
    public static int Nearest(IReadOnlyList<PaletteColour> colours, int r, int g, int b)
    {
        ArgumentNullException.ThrowIfNull(colours);
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var i = 0; i < colours.Count; i++)
        {
            var distance = colours[i].DistanceSquared(r, g, b);
            if (distance < bestDistance)
            {
                best = i;
                bestDistance = distance;
            }
        }

        return best;
    }
}
