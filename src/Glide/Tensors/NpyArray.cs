namespace Glide.Tensors;

/// <summary>
/// A C-order array as read from (or written to) a <c>.npy</c> file: element type, shape and a flat typed buffer.
/// </summary>
public sealed class NpyArray
{
    private readonly int[] _shape;

    private NpyArray(NpyDType dtype, int[] shape, Array data)
    {
        DType = dtype;
        _shape = shape;
        Data = data;
    }

    public NpyDType DType { get; }

    /// <summary>The dimensions, outermost first; empty for a 0-d (scalar) array.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The flat buffer: <c>float[]</c>, <c>double[]</c>, <c>long[]</c> or <c>bool[]</c> by <see cref="DType"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of elements, the product of <see cref="Shape"/>.</summary>
    public int Length => Data.Length;

    public static NpyArray FromSingle(float[] data, params int[] shape) => Create(NpyDType.Float32, data, shape);

    public static NpyArray FromDouble(double[] data, params int[] shape) => Create(NpyDType.Float64, data, shape);

    public static NpyArray FromInt64(long[] data, params int[] shape) => Create(NpyDType.Int64, data, shape);

    public static NpyArray FromBoolean(bool[] data, params int[] shape) => Create(NpyDType.Bool, data, shape);

    public float[] AsSingle() => As<float>(NpyDType.Float32);

    public double[] AsDouble() => As<double>(NpyDType.Float64);

    public long[] AsInt64() => As<long>(NpyDType.Int64);

    public bool[] AsBoolean() => As<bool>(NpyDType.Bool);

    /// <summary>The shape as ONNX Runtime wants it.</summary>
    public long[] GetLongShape() => Array.ConvertAll(_shape, d => (long)d);

    /// <summary>The shape as numpy prints it, e.g. <c>(2, 3)</c> or <c>(5,)</c>.</summary>
    public string FormatShape() => FormatShape(_shape);

    internal static string FormatShape(IReadOnlyList<int> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    /// <summary>Element count of a shape, or -1 when it does not fit in one .NET array.</summary>
    internal static long ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            count *= dim;
            if (count > Array.MaxLength)
            {
                return -1;
            }
        }

        return count;
    }

    private static NpyArray Create(NpyDType dtype, Array data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"shape {FormatShape(shape)} holds {count} elements but the buffer has {data.Length}", nameof(data));
        }

        return new NpyArray(dtype, (int[])shape.Clone(), data);
    }

    private T[] As<T>(NpyDType expected)
    {
        if (DType != expected)
        {
            throw new InvalidOperationException($"array is {DType}, not {expected}");
        }

        return (T[])Data;
    }
}
