using System.CommandLine;
using Glide.Models;
using Glide.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Cli;

/// <summary>
/// <c>glide verify-model &lt;dir&gt;</c>: validates a model directory's manifest, then runs every graph on its verify
/// inputs and compares with the PyTorch outputs.
/// </summary>
internal static class VerifyModelCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directoryArgument = new Argument<string?>("dir")
        {
            Description = "The exported model directory (the one holding manifest.json).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var directoryOption = new Option<string?>("--model-dir")
        {
            Description = "Same as <dir>.",
        };

        var command = new Command("verify-model", "Check an exported model directory against its manifest and reference outputs.")
        {
            directoryArgument,
            directoryOption,
        };
        command.Validators.Add(result =>
        {
            var given = (result.GetValue(directoryArgument) is null ? 0 : 1) + (result.GetValue(directoryOption) is null ? 0 : 1);
            if (given != 1)
            {
                result.AddError("give the model directory exactly once, as <dir> or --model-dir");
            }
        });
        command.SetAction(parseResult =>
            Execute(parseResult.GetValue(directoryArgument) ?? parseResult.GetValue(directoryOption)!, output, error));
        return command;
    }

    public static int Execute(string directory, TextWriter output, TextWriter error)
    {
        if (!Directory.Exists(directory))
        {
            error.WriteLine($"glide verify-model: model directory not found: {directory}");
            return ExitCodes.BadInput;
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Load(directory);
        }
        catch (ModelManifestException e)
        {
            error.WriteLine($"glide verify-model: {e.Message}");
            return ExitCodes.BadInput;
        }

        var table = new VerificationTable(output, manifest.Graphs.Select(g => g.Name));
        table.WriteHeader();
        var verifier = new GraphVerifier(manifest);
        var problems = new List<string>();
        var passed = 0;
        foreach (var graph in manifest.Graphs)
        {
            try
            {
                var result = verifier.Verify(graph);
                table.WriteResult(result);
                passed += result.Passed ? 1 : 0;
                problems.AddRange(result.Outputs.Where(o => !o.Passed).Select(o =>
                    $"{graph.Name}: output '{o.Name}' max abs error {o.MaxAbsError:G4} exceeds tolerance {o.Tolerance:G4}"));
            }
            catch (Exception e) when (e is ModelManifestException or NpyFormatException or OnnxRuntimeException)
            {
                // One broken graph should not hide the state of the others.
                table.WriteError(graph);
                problems.Add(e.Message);
            }
        }

        output.WriteLine();
        output.WriteLine($"{passed} of {manifest.Graphs.Count} graphs passed");
        foreach (var problem in problems)
        {
            error.WriteLine($"glide verify-model: {problem}");
        }

        return passed == manifest.Graphs.Count ? ExitCodes.Success : ExitCodes.Failed;
    }
}
