namespace Glide.Cli;

/// <summary>The model a command uses when no <c>--model-dir</c> is given, and how its note describes it.</summary>
/// <param name="Directory">The exported model directory.</param>
/// <param name="Description">Completes "note: using …" on stdout.</param>
internal sealed record DefaultModel(string Directory, string Description)
{
    /// <summary>
    /// <paramref name="modelDirectory"/> when given; otherwise this model's directory, with "note: using …" written to
    /// <paramref name="output"/>. Whether the directory exists is the caller's check.
    /// </summary>
    public string Choose(string? modelDirectory, TextWriter output)
    {
        if (modelDirectory is not null)
        {
            return modelDirectory;
        }

        output.WriteLine($"note: using {Description}");
        return Directory;
    }

    /// <summary>
    /// The shipped glide-shapes model (src/models/glide-shapes), copied next to the binary at build time: small GLIDE
    /// networks trained on the captioned-shapes world, so it draws the shapes and colours a caption names
    /// (src/export/glide_shapes/README.md). It has no inpainting models; <see cref="BundledInpaint"/> stands in there.
    /// </summary>
    public static DefaultModel Bundled { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "models", "glide-shapes"),
        "the bundled glide-shapes model (it draws coloured circles, squares, triangles and diamonds; pass --model-dir " +
        "for other weights)");

    /// <summary>
    /// The inpainting default: the tiny random-weight test set copied next to the binary (tests/fixtures/tiny), the
    /// one bundled set with base-inpaint and upsample-inpaint. It runs the real inpainting cascade end to end but,
    /// untrained, draws noise into the masked region.
    /// </summary>
    public static DefaultModel BundledInpaint { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "models", "tiny"),
        "the bundled tiny random-weight test model (glide-shapes has no inpainting models; it draws noise, not " +
        "pictures; pass --model-dir for real inpainting weights)");
}
