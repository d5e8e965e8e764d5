using Glide.Models;
using Glide.Tensors;

namespace Glide.Pipeline;

/// <summary>
/// What the stages hand each other, as .npy arrays (design.md §1: float32, C order, shape checked on every read),
/// so a stage can run in another process from stored tensors: text conditioning ([B, D] xf_proj and [B, W, T]
/// xf_out) and image batches ([N, 3, S, S]).
/// </summary>
public static class StageTensors
{
    public static NpyArray XfProj(TextConditioning text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return NpyArray.FromSingle(text.XfProj.ToArray(), text.Batch, text.ProjectionWidth);
    }

    public static NpyArray XfOut(TextConditioning text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return NpyArray.FromSingle(text.XfOut.ToArray(), text.Batch, text.Width, text.ContextLength);
    }

    /// <summary>Rebuilds text conditioning from its two arrays; their shapes must agree with each other.</summary>
    /// <param name="xfProj">[B, D] float32.</param>
    /// <param name="xfOut">[B, W, T] float32.</param>
    /// <param name="source">Named in errors (e.g. the blob or file the arrays came from).</param>
    public static TextConditioning Text(NpyArray xfProj, NpyArray xfOut, string source)
    {
        ArgumentNullException.ThrowIfNull(xfProj);
        ArgumentNullException.ThrowIfNull(xfOut);
        Require(xfProj, 2, source, "xf_proj", "[B, D]");
        Require(xfOut, 3, source, "xf_out", "[B, W, T]");
        if (xfProj.Shape[0] != xfOut.Shape[0])
        {
            throw new InvalidDataException(
                $"{source}: xf_proj has {xfProj.Shape[0]} rows but xf_out has {xfOut.Shape[0]}");
        }

        return TextConditioning.Create(
            xfProj.AsSingle(), xfOut.AsSingle(), xfProj.Shape[0], xfProj.Shape[1], xfOut.Shape[1], xfOut.Shape[2]);
    }

    /// <summary>An image batch [N, 3, S, S] as an array.</summary>
    public static NpyArray Images(float[] images, int count, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Length != count * 3 * size * size)
        {
            throw new ArgumentException($"expected [{count}, 3, {size}, {size}] = {count * 3 * size * size} values, got {images.Length}", nameof(images));
        }

        return NpyArray.FromSingle(images, count, 3, size, size);
    }

    /// <summary>An image batch read back: float32 [N, 3, S, S] with the given S (and N, when known).</summary>
    public static float[] Images(NpyArray array, int size, string source, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        Require(array, 4, source, "images", "[N, 3, S, S]");
        if (array.Shape[1] != 3 || array.Shape[2] != size || array.Shape[3] != size || (count is { } n && array.Shape[0] != n))
        {
            throw new InvalidDataException(
                $"{source}: expected images [{count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N"}, 3, {size}, {size}], got {array.FormatShape()}");
        }

        return array.AsSingle();
    }

    private static void Require(NpyArray array, int rank, string source, string name, string layout)
    {
        if (array.DType != NpyDType.Float32 || array.Shape.Count != rank)
        {
            throw new InvalidDataException(
                $"{source}: {name} must be float32 {layout}, got {array.DType.ToString().ToLowerInvariant()} {array.FormatShape()}");
        }
    }
}
