namespace Glide.Pipeline;

/// <summary>
/// The reverse loop every stage runs: from x_T, steps k = 1 … S at spaced index i = S − k down to 0, cancellation
/// checked before each step, the observer and the progress told of x_T and of the state after every step.
/// </summary>
/// <remarks>
/// The shared skeleton of glide_text2im gaussian_diffusion.py <c>p_sample_loop_progressive</c> and
/// <c>ddim_sample_loop_progressive</c>; what one step does (model batch, guidance, sampler) is the stage's.
/// </remarks>
internal static class SamplingLoop
{
    /// <summary>Step k of the loop, at spaced index i: runs the model at <c>TimestepMap[i]</c> and steps every
    /// image of x in place.</summary>
    public delegate void BatchStep(int k, int i);

    /// <param name="stage">The stage name the progress carries (<see cref="StageNames"/>).</param>
    /// <param name="steps">S, the respaced schedule's step count.</param>
    /// <param name="x">[N, 3, S, S]: x_T on entry, the final sample on return.</param>
    /// <param name="step">One step of the whole batch.</param>
    /// <param name="progress">Reported for x_T (step 0) and after every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static void Run(
        string stage,
        int steps,
        float[] x,
        BatchStep step,
        IProgress<StageProgress>? progress,
        CancellationToken cancellationToken,
        StepObserver? observer)
    {
        observer?.Invoke(0, x);
        progress?.Report(new StageProgress(stage, 0, steps));
        for (var k = 1; k <= steps; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            step(k, steps - k);
            observer?.Invoke(k, x);
            progress?.Report(new StageProgress(stage, k, steps));
        }
    }
}
