using System.Diagnostics;
using System.Globalization;
using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Cli;

/// <summary>
/// The console side of one cascade command (<c>generate</c>, <c>inpaint</c>): the model directory, the timed model
/// load, progress bars on stderr, the PNGs and their lines, the closing time line, and the exit code every failure
/// maps to, each message led by the command's name.
/// </summary>
internal sealed class CascadeConsole
{
    private readonly string _name;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly DefaultModel _defaultModel;
    private readonly Stopwatch _clock = new();
    private double _loadSeconds;

    /// <param name="name">How messages name the command, e.g. <c>glide generate</c>.</param>
    /// <param name="output">stdout: notes on the inputs, written files, scores and times.</param>
    /// <param name="error">stderr: progress, warnings and failures.</param>
    /// <param name="defaultModel">The model to use when no model directory is given.</param>
    public CascadeConsole(string name, TextWriter output, TextWriter error, DefaultModel defaultModel)
    {
        _defaultModel = defaultModel;
        _name = name;
        _output = output;
        _error = error;
        Progress = new ProgressPrinter(error, interactive: !Console.IsErrorRedirected);
    }

    /// <summary>A progress bar per stage on stderr.</summary>
    public IProgress<StageProgress> Progress { get; }

    /// <summary>Runs the command's body; cancellation and bad input become a message and their exit codes.</summary>
    /// <param name="body">Returns the exit code; throws on cancellation or on anything it cannot use.</param>
    public int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            _error.WriteLine($"{_name}: canceled; no image was written");
            return ExitCodes.Canceled;
        }
        catch (Exception e) when (e is ArgumentException or ModelManifestException or NpyFormatException
                                      or IOException or UnauthorizedAccessException or OnnxRuntimeException)
        {
            return Refuse(e.Message);
        }
    }

    /// <summary>Prints why the command cannot run; returns <see cref="ExitCodes.BadInput"/>.</summary>
    public int Refuse(string message)
    {
        _error.WriteLine($"{_name}: {message}");
        return ExitCodes.BadInput;
    }

    /// <summary>
    /// The model directory to load: <paramref name="modelDirectory"/>, or the default model (with a note saying so);
    /// null, with the reason printed, when it does not exist.
    /// </summary>
    public string? FindModelDirectory(string? modelDirectory)
    {
        var directory = _defaultModel.Choose(modelDirectory, _output);

        if (!Directory.Exists(directory))
        {
            Refuse($"model directory not found: {directory}");
            return null;
        }

        return directory;
    }

    /// <summary>Loads the models and starts the clock the time line reads; warns on a device fallback.</summary>
    public GlideModelSet LoadModels(string directory, ExecutionDevice device, GlideModelSetOptions options)
    {
        _clock.Restart();
        var models = GlideModelSet.Load(directory, device, options);
        if (models.DeviceFallback is { } fallback)
        {
            _error.WriteLine($"warning: {fallback}");
        }

        _loadSeconds = _clock.Elapsed.TotalSeconds;
        return models;
    }

    /// <summary>Says on stderr when the prompt was cut to the text encoder's context.</summary>
    public void NotePromptTruncation(bool truncated)
    {
        if (truncated)
        {
            _error.WriteLine("note: the prompt is longer than 128 tokens; only the first 128 were used");
        }
    }

    /// <summary>Writes one image as PNG and a line naming it, its seed, and when reranked its candidate and score.
    /// </summary>
    public void WriteImage(string path, GeneratedImage image)
    {
        PngFile.Write(path, image.Rgb, image.Width, image.Height);
        _output.WriteLine(image.ClipScore is { } score
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"wrote {path} (seed {image.Seed}, candidate {image.Candidate}, clip score {score:F4})")
            : $"wrote {path} (seed {image.Seed.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <summary>The closing line: load time, each stage's (rerank only when it ran), the total since the load began
    /// and the device the models ran on.</summary>
    public void WriteTimes(IReadOnlyDictionary<string, double> stageSeconds, ExecutionDevice device)
    {
        var rerankTime = stageSeconds.TryGetValue(StageNames.Rerank, out var rerankSeconds)
            ? string.Create(CultureInfo.InvariantCulture, $"rerank {rerankSeconds:F2} s, ")
            : string.Empty;
        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"time: load {_loadSeconds:F1} s, text {stageSeconds[StageNames.Text]:F2} s, " +
            $"base {stageSeconds[StageNames.Base]:F1} s, {rerankTime}" +
            $"upsample {stageSeconds[StageNames.Upsample]:F1} s, " +
            $"total {_clock.Elapsed.TotalSeconds:F1} s on {device.ToString().ToLowerInvariant()}"));
    }
}
