using Glide.Cli;
using Glide.Models;
using Glide.Pipeline;

namespace Glide.Tests.Cli;

public sealed class CascadeConsoleTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private CascadeConsole NewConsole() => new("glide test", _output, _error, new DefaultModel("unused", "a test default"));

    [Fact]
    public void Cancellation_and_bad_input_become_their_exit_codes_with_the_command_name()
    {
        Assert.Equal(ExitCodes.Canceled, NewConsole().Run(() => throw new OperationCanceledException()));
        Assert.Equal(ExitCodes.BadInput, NewConsole().Run(() => throw new ArgumentException("no such seed")));
        Assert.Equal(ExitCodes.Success, NewConsole().Run(() => ExitCodes.Success));
        Assert.Throws<InvalidOperationException>(() => NewConsole().Run(() => throw new InvalidOperationException()));

        Assert.Equal(
            ["glide test: canceled; no image was written", "glide test: no such seed"],
            _error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_missing_model_directory_is_refused_and_the_default_one_noted()
    {
        var missing = _temp.Combine("missing");
        Assert.Null(NewConsole().FindModelDirectory(missing));
        Assert.Equal($"glide test: model directory not found: {missing}{Environment.NewLine}", _error.ToString());
        Assert.Equal(string.Empty, _output.ToString());

        Assert.Equal(_temp.Path, NewConsole().FindModelDirectory(_temp.Path));
        NewConsole().FindModelDirectory(null);
        Assert.StartsWith("note: using a test default", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_time_line_names_rerank_only_when_it_ran()
    {
        var seconds = new Dictionary<string, double>
        {
            [StageNames.Text] = 0.25,
            [StageNames.Base] = 1.5,
            [StageNames.Upsample] = 2.0,
        };
        NewConsole().WriteTimes(seconds, ExecutionDevice.Cpu);
        seconds[StageNames.Rerank] = 0.5;
        NewConsole().WriteTimes(seconds, ExecutionDevice.Cuda);

        Assert.Equal(
            [
                "time: load 0.0 s, text 0.25 s, base 1.5 s, upsample 2.0 s, total 0.0 s on cpu",
                "time: load 0.0 s, text 0.25 s, base 1.5 s, rerank 0.50 s, upsample 2.0 s, total 0.0 s on cuda",
            ],
            _output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_image_is_written_with_its_seed_and_when_reranked_its_candidate_and_score()
    {
        var plain = _temp.Combine("plain.png");
        var ranked = _temp.Combine("ranked.png");
        NewConsole().WriteImage(plain, new GeneratedImage(0, 7, 1, 1, [1, 2, 3]));
        NewConsole().WriteImage(ranked, new GeneratedImage(1, 9, 1, 1, [4, 5, 6]) { Candidate = 3, ClipScore = 0.25f });

        Assert.True(File.Exists(plain));
        Assert.True(File.Exists(ranked));
        Assert.Equal(
            [$"wrote {plain} (seed 7)", $"wrote {ranked} (seed 9, candidate 3, clip score 0.2500)"],
            _output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    public void Dispose()
    {
        _temp.Dispose();
        _output.Dispose();
        _error.Dispose();
    }
}
