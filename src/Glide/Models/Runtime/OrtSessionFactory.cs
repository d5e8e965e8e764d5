using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// Creates the <see cref="InferenceSession"/>s for one device choice, all from one <see cref="SessionOptions"/> built
/// once: every graph optimisation on, a fixed intra-op thread count, and the CUDA execution provider when asked for.
/// </summary>
/// <remarks>
/// Asking for CUDA where its libraries are missing throws from <c>AppendExecutionProvider_CUDA</c>, although
/// <c>OrtEnv.GetAvailableProviders()</c> still lists CUDA (shared/local-runtime.md), so the factory tries it once and,
/// on failure, runs on the CPU and records why in <see cref="Fallback"/> for the host to log. CUDA libraries that load
/// but cannot run (e.g. cuDNN missing) fail later, when a session is created or run; that is not a fallback.
/// </remarks>
public sealed class OrtSessionFactory : IDisposable
{
    private readonly SessionOptions _options;
    private bool _disposed;

    /// <param name="device">The device asked for.</param>
    /// <param name="intraOpThreads">Threads per operator; null means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="cudaDeviceId">The GPU ordinal, for <see cref="ExecutionDevice.Cuda"/>.</param>
    public OrtSessionFactory(ExecutionDevice device, int? intraOpThreads = null, int cudaDeviceId = 0)
    {
        if (!Enum.IsDefined(device))
        {
            throw new ArgumentOutOfRangeException(nameof(device), device, "expected Cpu or Cuda");
        }

        var threads = intraOpThreads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(intraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(cudaDeviceId);

        RequestedDevice = device;
        IntraOpThreads = threads;
        (_options, Fallback) = device == ExecutionDevice.Cuda
            ? CreateCudaOptions(threads, cudaDeviceId)
            : (CreateOptions(threads), null);
        EffectiveDevice = Fallback?.Effective ?? device;
    }

    public ExecutionDevice RequestedDevice { get; }

    /// <summary>Where the sessions run: <see cref="RequestedDevice"/> unless <see cref="Fallback"/> is set.</summary>
    public ExecutionDevice EffectiveDevice { get; }

    /// <summary>Why the requested device is not used, or null when it is. Decided once, in the constructor.</summary>
    public ExecutionDeviceFallback? Fallback { get; }

    public int IntraOpThreads { get; }

    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the graph.</exception>
    public InferenceSession CreateSession(string modelPath)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new InferenceSession(modelPath, _options);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _options.Dispose();
        }
    }

    private static SessionOptions CreateOptions(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = threads,
    };

    private static (SessionOptions Options, ExecutionDeviceFallback? Fallback) CreateCudaOptions(
        int threads, int deviceId)
    {
        var options = CreateOptions(threads);
        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
            return (options, null);
        }
        catch (OnnxRuntimeException e)
        {
            // Options whose provider append failed half-way are not reused: the CPU gets a fresh set.
            options.Dispose();
            var reason = $"the CUDA execution provider (device {deviceId}) could not be added: {e.Message}";
            var fallback = new ExecutionDeviceFallback(ExecutionDevice.Cuda, ExecutionDevice.Cpu, reason);
            return (CreateOptions(threads), fallback);
        }
    }
}
