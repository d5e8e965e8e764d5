using Glide.Pipeline;

namespace Glide.Cli;

/// <summary>
/// A progress bar per stage on stderr: redrawn in place on a terminal, a line per 25% when redirected (logs stay
/// readable).
/// </summary>
internal sealed class ProgressPrinter(TextWriter error, bool interactive) : IProgress<StageProgress>
{
    private const int BarWidth = 30;
    private int _lastQuarter = -1;

    public void Report(StageProgress value)
    {
        var fraction = value.Steps == 0 ? 1.0 : (double)value.Step / value.Steps;
        var done = value.Step == value.Steps;
        if (interactive)
        {
            var filled = (int)Math.Round(fraction * BarWidth);
            error.Write($"\r{value.Stage,-9}[{new string('#', filled)}{new string(' ', BarWidth - filled)}] {value.Step}/{value.Steps}");
            if (done)
            {
                error.WriteLine();
            }

            return;
        }

        var quarter = (int)(fraction * 4);
        if (value.Step == 0)
        {
            _lastQuarter = -1;
        }

        if (quarter != _lastQuarter)
        {
            _lastQuarter = quarter;
            error.WriteLine($"{value.Stage}: step {value.Step}/{value.Steps}");
        }
    }
}
