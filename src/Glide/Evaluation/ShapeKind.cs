namespace Glide.Evaluation;

/// <summary>The shapes of the glide-shapes world (src/export/glide_shapes/world.py <c>SHAPES</c>).</summary>
public enum ShapeKind
{
    /// <summary>dx² + dy² ≤ r².</summary>
    Circle,

    /// <summary>max(|dx|, |dy|) ≤ 0.9 r.</summary>
    Square,

    /// <summary>Pointing up: apex (cx, cy − r), base corners (cx ± r, cy + r).</summary>
    Triangle,

    /// <summary>|dx| + |dy| ≤ r.</summary>
    Diamond,
}
