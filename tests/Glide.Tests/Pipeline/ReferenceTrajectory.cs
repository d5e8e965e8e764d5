using Glide.Tensors;
using Glide.Testing;

namespace Glide.Tests.Pipeline;

/// <summary>
/// A reference sampler run from tests/fixtures/trajectories (see its README): the noise file, and x_t at every step
/// on a grid (every <see cref="Stride"/>-th pixel) plus the final sample in full.
/// </summary>
internal sealed class ReferenceTrajectory
{
    private ReferenceTrajectory(string name, NpzArchive archive)
    {
        Name = name;
        Archive = archive;
        Grid = archive["x_t_grid"];
        Stride = (int)archive["grid_stride"].AsInt64()[0];
    }

    public string Name { get; }

    public NpzArchive Archive { get; }

    public NpyArray Grid { get; }

    public int Stride { get; }

    public string NoisePath => RepoRoot.Combine("tests", "fixtures", "trajectories", $"{Name}.noise.npy");

    public static ReferenceTrajectory Load(string name) =>
        new(name, NpzReader.Read(RepoRoot.Combine("tests", "fixtures", "trajectories", $"{name}.npz")));

    /// <summary>Largest |x[..., ::stride, ::stride] − grid[step]| over one image [3, S, S].</summary>
    public double GridError(int step, ReadOnlySpan<float> x, int size)
    {
        var grid = Grid.AsSingle();
        var g = size / Stride;
        var offset = step * 3 * g * g;
        var worst = 0.0;
        for (var c = 0; c < 3; c++)
        {
            for (var r = 0; r < g; r++)
            {
                for (var col = 0; col < g; col++)
                {
                    var actual = x[(c * size * size) + (r * Stride * size) + (col * Stride)];
                    var expected = grid[offset + (c * g * g) + (r * g) + col];
                    worst = Math.Max(worst, Math.Abs(actual - expected));
                }
            }
        }

        return worst;
    }
}
