namespace Glide.Cli;

/// <summary>
/// The model used when no --model-dir is given: the tiny random-weight set copied next to the binary at build
/// time (tests/fixtures/tiny). It runs the real cascade end to end but, untrained, draws noise, not pictures.
/// </summary>
internal static class DefaultModel
{
    public const string Description = "the bundled tiny random-weight test model (it draws noise, not pictures; pass --model-dir for real weights)";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "models", "tiny");
}
