using System.CommandLine;

namespace Glide.Cli;

/// <summary>The <c>glide</c> command line: parses, reports usage errors with <see cref="ExitCodes.BadInput"/>, dispatches.</summary>
internal static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, Console.In, output, error, DefaultModel.Bundled, DefaultModel.BundledInpaint);

    /// <summary>
    /// As <see cref="Run(string[], TextWriter, TextWriter)"/>, reading standard input from <paramref name="input"/> and
    /// using <paramref name="defaultModel"/> for every command where no <c>--model-dir</c> is given.
    /// </summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error, DefaultModel defaultModel) =>
        Run(args, input, output, error, defaultModel, defaultModel);

    /// <summary>
    /// As <see cref="Run(string[], TextReader, TextWriter, TextWriter, DefaultModel)"/>, with
    /// <paramref name="inpaintDefault"/> as <c>glide inpaint</c>'s default (a directory with inpainting models).
    /// </summary>
    public static int Run(
        string[] args, TextReader input, TextWriter output, TextWriter error, DefaultModel defaultModel, DefaultModel inpaintDefault)
    {
        ArgumentNullException.ThrowIfNull(defaultModel);
        ArgumentNullException.ThrowIfNull(inpaintDefault);
        var root = new RootCommand("GLIDE text-to-image diffusion on ONNX Runtime.")
        {
            GenerateCommand.Create(output, error, defaultModel),
            InpaintCommand.Create(output, error, inpaintDefault),
            BenchCommand.Create(output, error, defaultModel),
            VerifyModelCommand.Create(output, error),
            TokenizeCommand.Create(input, output, error),
            EvalCommand.Create(output, error, defaultModel),
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine would exit 1 here; 1 means "checked and failed" for our commands, so use 2.
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"glide: {parseError.Message}");
            }

            error.WriteLine("Run 'glide --help' for usage.");
            return ExitCodes.BadInput;
        }

        return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
