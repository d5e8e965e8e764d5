using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Glide.Models;

/// <summary>Tensors in ONNX Runtime's own (native) memory, for the once-per-prompt graphs.</summary>
internal static class OrtTensors
{
    /// <summary>A new tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/>.</summary>
    public static OrtValue CopyOf<T>(ReadOnlySpan<T> data, TensorElementType type, params long[] shape)
        where T : unmanaged
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        try
        {
            data.CopyTo(value.GetTensorMutableDataAsSpan<T>());
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>An uninitialised tensor of <paramref name="shape"/> for an output ONNX Runtime fills.</summary>
    public static OrtValue Allocate(TensorElementType type, params long[] shape) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
}
