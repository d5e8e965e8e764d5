namespace Glide.Evaluation;

/// <summary>The names of <see cref="ShapeKind"/> in caption files and reports: <c>circle</c>, <c>square</c>, ….</summary>
public static class ShapeKindNames
{
    /// <summary>Every shape's name, in <see cref="ShapeKind"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = ["circle", "square", "triangle", "diamond"];

    public static string ToName(ShapeKind shape) => All[(int)shape];

    /// <summary>The shape named <paramref name="name"/> (exact, lower case), or false.</summary>
    public static bool TryParse(string name, out ShapeKind shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var k = 0; k < All.Count; k++)
        {
            if (All[k] == name)
            {
                shape = (ShapeKind)k;
                return true;
            }
        }

        shape = default;
        return false;
    }
}
