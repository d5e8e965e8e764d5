using Glide.Cli;
using Glide.Testing;

namespace Glide.Tests.Cli;

/// <summary>Runs the <c>glide</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    /// <summary>
    /// The default model for these tests: the tiny random-weight fixture set, which runs the whole cascade in a
    /// moment. The shipped default (<see cref="DefaultModel.Bundled"/>) has tests of its own.
    /// </summary>
    public static DefaultModel Tiny { get; } = new(
        RepoRoot.Combine("tests", "fixtures", "tiny"), "the tiny random-weight test model (tests/fixtures/tiny)");

    public static (int Code, string Output, string Error) Run(params string[] args) => Run(Tiny, args);

    /// <summary>
    /// Runs the command line as the shipped binary does (<see cref="CliApp.Run(string[], TextWriter, TextWriter)"/>),
    /// with its own defaults: glide-shapes, and the tiny set for <c>inpaint</c>.
    /// </summary>
    public static (int Code, string Output, string Error) RunAsShipped(params string[] args) =>
        Capture((output, error) => CliApp.Run(args, output, error));

    public static (int Code, string Output, string Error) Run(DefaultModel defaultModel, params string[] args) =>
        Capture((output, error) => CliApp.Run(args, TextReader.Null, output, error, defaultModel));

    private static (int Code, string Output, string Error) Capture(Func<TextWriter, TextWriter, int> run)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = run(output, error);
        return (code, output.ToString(), error.ToString());
    }
}
