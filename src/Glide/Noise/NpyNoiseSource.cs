using Glide.Tensors;

namespace Glide.Noise;

/// <summary>Recorded reference noise from a <c>.npy</c> file, to replay the reference sampler's runs exactly.</summary>
/// <remarks>
/// Layout (src/export/FORMAT.md, "Noise and trajectory files"): float16 or float32 (S+1, N, C, H, W), where [0] is
/// x_T before any temperature and [k] the draw of the k-th step taken. A file of shape (1, N, C, H, W) holds x_T
/// only, which is all DDIM with eta 0 needs. float16 values widen to float32 exactly.
/// </remarks>
public sealed class NpyNoiseSource : INoiseSource
{
    private readonly float[] _data;

    /// <exception cref="InvalidDataException">The array is not floating point of rank 5.</exception>
    public NpyNoiseSource(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        var array = NpyReader.Read(path);
        if (array.DType != NpyDType.Float32)
        {
            throw new InvalidDataException(
                $"{path}: noise must be float16 or float32, got {array.DType} of shape {array.FormatShape()}");
        }

        var shape = array.Shape;
        if (shape.Count != 5 || shape.Any(d => d == 0))
        {
            throw new InvalidDataException(
                $"{path}: noise must have shape (S+1, N, C, H, W) with no empty axis, got {array.FormatShape()}");
        }

        DrawCount = shape[0];
        ImageCount = shape[1];
        Channels = shape[2];
        Height = shape[3];
        Width = shape[4];
        _data = array.AsSingle();
    }

    /// <summary>The file read, named in every error.</summary>
    public string Path { get; }

    /// <summary>S+1 for a full recording, 1 when the file holds x_T only.</summary>
    public int DrawCount { get; }

    public int ImageCount { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Elements of one draw of one image, C·H·W.</summary>
    public int ImageLength => Channels * Height * Width;

    /// <summary>The shape as numpy prints it.</summary>
    public string FormatShape() => $"({DrawCount}, {ImageCount}, {Channels}, {Height}, {Width})";

    /// <summary>Throws unless the file fits a run of <paramref name="steps"/> spaced steps on [C, H, W].</summary>
    /// <param name="steps">S of the schedule.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="stepDrawsNeeded">False for DDIM with eta 0, which accepts an x_T-only file.</param>
    public void EnsureFits(int steps, int channels, int height, int width, bool stepDrawsNeeded)
    {
        if (Channels != channels || Height != height || Width != width)
        {
            throw new InvalidDataException(
                $"{Path}: noise has shape {FormatShape()}; images of this run are ({channels}, {height}, {width})");
        }

        var drawsOk = DrawCount == steps + 1 || (!stepDrawsNeeded && DrawCount == 1);
        if (!drawsOk)
        {
            var accepted = stepDrawsNeeded ? $"{steps + 1}" : $"{steps + 1} or 1 (x_T only)";
            throw new InvalidDataException(
                $"{Path}: noise has shape {FormatShape()}; a {steps}-step run needs {accepted} draws on the " +
                "first axis");
        }
    }

    public void Fill(int image, int draw, Span<float> destination)
    {
        if ((uint)image >= (uint)ImageCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(image),
                image,
                $"{Path}: image {image} out of range [0, {ImageCount - 1}] of shape {FormatShape()}");
        }

        if (draw < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(draw), draw, $"draw must be ≥ 0, got {draw}");
        }

        if (draw >= DrawCount)
        {
            if (DrawCount == 1)
            {
                throw new InvalidOperationException(
                    $"{Path} holds x_T only (shape {FormatShape()}); draw {draw} needs per-step noise of shape " +
                    "(S+1, N, C, H, W)");
            }

            throw new ArgumentOutOfRangeException(
                nameof(draw), draw, $"{Path}: draw {draw} out of range [0, {DrawCount - 1}] of shape {FormatShape()}");
        }

        if (destination.Length != ImageLength)
        {
            throw new ArgumentException(
                $"destination has {destination.Length} elements; {Path} holds images of ({Channels}, {Height}, " +
                $"{Width}) = {ImageLength}",
                nameof(destination));
        }

        var offset = ((long)draw * ImageCount + image) * ImageLength;
        _data.AsSpan((int)offset, ImageLength).CopyTo(destination);
    }
}
