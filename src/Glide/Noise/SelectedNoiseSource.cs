namespace Glide.Noise;

/// <summary>
/// Some images of another noise source, in a given order: image k here is image <c>indices[k]</c> there. Lets a stage
/// that runs on a subset of a request's images (the candidates kept after reranking) replay their recorded noise.
/// </summary>
public sealed class SelectedNoiseSource : INoiseSource
{
    private readonly INoiseSource _source;
    private readonly int[] _indices;

    /// <exception cref="ArgumentException">No index, or one outside the source's images.</exception>
    public SelectedNoiseSource(INoiseSource source, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0)
        {
            throw new ArgumentException("expected at least one image index, got none", nameof(indices));
        }

        foreach (var index in indices)
        {
            if ((uint)index >= (uint)source.ImageCount)
            {
                throw new ArgumentException(
                    $"image {index} is outside the {source.ImageCount} images of the noise source", nameof(indices));
            }
        }

        _source = source;
        _indices = [.. indices];
    }

    public int ImageCount => _indices.Length;

    public void Fill(int image, int draw, Span<float> destination)
    {
        if ((uint)image >= (uint)_indices.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(image), image, $"image {image} out of range [0, {_indices.Length - 1}]");
        }

        _source.Fill(_indices[image], draw, destination);
    }
}
