namespace Glide.Models;

/// <summary>
/// The requested execution device could not be used and the sessions run on <see cref="Effective"/> instead. The
/// core library has no logger: the host logs this once (it is decided once per <see cref="OrtSessionFactory"/>).
/// </summary>
/// <param name="Requested">The device asked for.</param>
/// <param name="Effective">The device the sessions use.</param>
/// <param name="Reason">Why, including ONNX Runtime's own message.</param>
public sealed record ExecutionDeviceFallback(ExecutionDevice Requested, ExecutionDevice Effective, string Reason)
{
    public override string ToString() => $"requested {Requested}, running on {Effective}: {Reason}";
}
