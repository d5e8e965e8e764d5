using Glide.Pipeline;

namespace Glide.Tests.Pipeline;

public sealed class SamplingLoopTests
{
    [Fact]
    public void Steps_run_from_the_last_spaced_index_to_zero_and_are_reported_after_each()
    {
        var events = new List<string>();
        float[] x = [0f];
        var progress = new RecordingProgress(events);

        SamplingLoop.Run(
            StageNames.Upsample, 3, x,
            (k, i) =>
            {
                events.Add($"step k={k} i={i}");
                x[0] = k;
            },
            progress, CancellationToken.None, (step, state) => events.Add($"observe {step}: {state[0]}"));

        Assert.Equal(
            [
                "observe 0: 0", "progress upsample 0/3",
                "step k=1 i=2", "observe 1: 1", "progress upsample 1/3",
                "step k=2 i=1", "observe 2: 2", "progress upsample 2/3",
                "step k=3 i=0", "observe 3: 3", "progress upsample 3/3",
            ],
            events);
    }

    [Fact]
    public void Cancellation_is_checked_before_every_step()
    {
        using var cancel = new CancellationTokenSource();
        var taken = new List<int>();

        Assert.Throws<OperationCanceledException>(() => SamplingLoop.Run(
            StageNames.Base, 5, [0f],
            (k, _) =>
            {
                taken.Add(k);
                if (k == 2)
                {
                    cancel.Cancel();
                }
            },
            null, cancel.Token, null));

        Assert.Equal([1, 2], taken);
    }

    private sealed class RecordingProgress(List<string> events) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => events.Add($"progress {value.Stage} {value.Step}/{value.Steps}");
    }
}
