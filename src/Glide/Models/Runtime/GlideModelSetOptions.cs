namespace Glide.Models;

/// <summary>How <see cref="GlideModelSet.Load"/> loads a model directory.</summary>
public sealed class GlideModelSetOptions
{
    /// <summary>
    /// The model kinds to load (<c>base</c>, <c>upsample</c>, <c>base-inpaint</c>, <c>upsample-inpaint</c>,
    /// <c>clip</c>); each must be in the directory. Null loads every model the directory has.
    /// </summary>
    public IReadOnlyCollection<string>? Models { get; init; }

    /// <summary>Threads per operator; null means <see cref="Environment.ProcessorCount"/>.</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>The GPU ordinal when the device is <see cref="ExecutionDevice.Cuda"/>.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>False skips hashing the graphs against the manifest (seconds for the full-size models).</summary>
    public bool VerifyHashes { get; init; } = true;
}
