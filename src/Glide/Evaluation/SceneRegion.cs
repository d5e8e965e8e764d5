namespace Glide.Evaluation;

/// <summary>
/// Where a caption puts an object, as a box of image fractions (x to the right, y down): the halves, and the centre
/// box 0.25 … 0.75 in both axes (src/export/glide_shapes/world.py <c>REGIONS</c>).
/// </summary>
public sealed record SceneRegion(string Name, double Left, double Top, double Right, double Bottom)
{
    public static SceneRegion LeftHalf { get; } = new("left", 0, 0, 0.5, 1);

    public static SceneRegion RightHalf { get; } = new("right", 0.5, 0, 1, 1);

    public static SceneRegion TopHalf { get; } = new("top", 0, 0, 1, 0.5);

    public static SceneRegion BottomHalf { get; } = new("bottom", 0, 0.5, 1, 1);

    public static SceneRegion Centre { get; } = new("centre", 0.25, 0.25, 0.75, 0.75);

    /// <summary>The whole image: where an object whose caption names no region is looked for.</summary>
    public static SceneRegion Anywhere { get; } = new("anywhere", 0, 0, 1, 1);

    /// <summary>The regions a caption can name, in the world's order.</summary>
    public static IReadOnlyList<SceneRegion> Named { get; } = [LeftHalf, RightHalf, TopHalf, BottomHalf, Centre];

    /// <summary>The region named <paramref name="name"/> ("center" is taken for "centre"), or false.</summary>
    public static bool TryParse(string name, out SceneRegion region)
    {
        ArgumentNullException.ThrowIfNull(name);
        var canonical = name == "center" ? "centre" : name;
        region = Named.FirstOrDefault(r => r.Name == canonical) ?? Anywhere;
        return region != Anywhere;
    }

    /// <summary>Whether pixel (x, y) of a width × height image has its centre inside the region (half-open box).</summary>
    public bool Contains(int x, int y, int width, int height)
    {
        var fx = (x + 0.5) / width;
        var fy = (y + 0.5) / height;
        return fx >= Left && fx < Right && fy >= Top && fy < Bottom;
    }

    public override string ToString() => Name;
}
