namespace Glide.Tensors;

/// <summary>Element types an <see cref="NpyArray"/> holds in memory.</summary>
/// <remarks>
/// float16 files are widened to <see cref="Float32"/> on read (the noise files are stored as float16 only to halve
/// their size, and every value is exactly representable in float32).
/// </remarks>
public enum NpyDType
{
    Float32,
    Float64,
    Int64,
    Bool,
}
