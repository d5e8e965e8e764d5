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
    /// The bundled tiny random-weight set copied next to the binary at build time (tests/fixtures/tiny). It runs the
    /// real cascade end to end but, untrained, draws noise, not pictures.
    /// </summary>
    public static DefaultModel Bundled { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "models", "tiny"),
        "the bundled tiny random-weight test model (it draws noise, not pictures; pass --model-dir for real weights)");
}
