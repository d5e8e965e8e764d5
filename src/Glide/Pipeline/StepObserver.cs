namespace Glide.Pipeline;

/// <summary>
/// Sees every x_t of a stage: <paramref name="step"/> 0 is x_T, step k the state after the k-th step, for all
/// images ([N, 3, S, S]). For tests and debugging; the span is only valid during the call.
/// </summary>
public delegate void StepObserver(int step, ReadOnlySpan<float> x);
