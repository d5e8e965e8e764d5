namespace Glide.Models;

/// <summary>Where ONNX Runtime runs the graphs.</summary>
public enum ExecutionDevice
{
    /// <summary>The CPU execution provider.</summary>
    Cpu,

    /// <summary>The CUDA execution provider: needs CUDA 13 and cuDNN 9 on the machine.</summary>
    Cuda,
}
