using Glide.Models;
using Glide.Tensors;

namespace Glide.Tests.Models;

/// <summary>Every graph of the tiny fixture (tests/fixtures/tiny) reproduces the exporter's PyTorch outputs.</summary>
public sealed class GraphVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> FixtureGraphs() => TinyFixture.GraphNames();

    [Theory]
    [MemberData(nameof(FixtureGraphs))]
    public void Every_fixture_graph_matches_pytorch(string graphName)
    {
        var manifest = TinyFixture.Load();
        var graph = manifest.GetGraph(graphName);

        var result = new GraphVerifier(manifest).Verify(graph);

        Assert.Equal(graphName, result.Graph);
        Assert.Equal(graph.Verify.Batch, result.Batch);
        Assert.Equal(graph.Outputs.Select(o => o.Name), result.Outputs.Select(o => o.Name));
        Assert.True(
            result.Passed,
            string.Join("; ", result.Outputs.Select(o => $"{o.Name}: max abs err {o.MaxAbsError:G4}, tolerance {o.Tolerance:G4}")));
    }

    [Fact]
    public void A_perturbed_reference_output_fails_with_its_error()
    {
        var (manifest, graph, reference) = CopyFixture();
        var name = graph.Outputs[0].Name;
        var values = reference[$"out.{name}"].AsSingle();
        var scale = Math.Max(1.0, values.Max(v => Math.Abs((double)v)));
        var delta = (float)(0.01 * scale);
        values[values.Length / 2] += delta;
        Rewrite(manifest, graph, reference);

        var result = new GraphVerifier(manifest).Verify(graph);

        Assert.False(result.Passed);
        Assert.Equal(name, result.Worst.Name);
        Assert.InRange(result.MaxAbsError, 0.9 * delta, 1.1 * delta);
        Assert.Equal(scale, result.Scale, 1e-3 * scale);
    }

    [Fact]
    public void A_nan_in_the_reference_fails()
    {
        var (manifest, graph, reference) = CopyFixture();
        reference[$"out.{graph.Outputs[0].Name}"].AsSingle()[0] = float.NaN;
        Rewrite(manifest, graph, reference);

        var result = new GraphVerifier(manifest).Verify(graph);

        Assert.False(result.Passed);
        Assert.True(double.IsNaN(result.MaxAbsError));
    }

    [Fact]
    public void A_verify_file_without_an_input_names_the_array()
    {
        var (manifest, graph, reference) = CopyFixture();
        var key = $"in.{graph.Inputs[0].Name}";
        var arrays = reference.Keys.Where(k => k != key).ToDictionary(k => k, k => reference[k]);
        NpzWriter.Write(manifest.ResolvePath(graph.Verify.File), arrays);

        var error = Assert.Throws<ModelManifestException>(() => new GraphVerifier(manifest).Verify(graph));

        Assert.Equal("verify.file", error.Field);
        Assert.Equal(graph.Name, error.Graph);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_verify_array_of_the_wrong_batch_is_named()
    {
        var (manifest, graph, reference) = CopyFixture();
        var key = $"in.{graph.Inputs[0].Name}";
        var arrays = reference.Keys.ToDictionary(k => k, k => reference[k]);
        arrays[key] = Truncate(reference[key]);
        NpzWriter.Write(manifest.ResolvePath(graph.Verify.File), arrays);

        var error = Assert.Throws<ModelManifestException>(() => new GraphVerifier(manifest).Verify(graph));

        Assert.Contains($"array '{key}': expected", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(batch {graph.Verify.Batch})", error.Message, StringComparison.Ordinal);
    }

    private (ModelManifest Manifest, GraphSpec Graph, NpzArchive Reference) CopyFixture()
    {
        var manifest = ModelManifest.Load(_temp.CopyFrom(TinyFixture.Load().Directory, "fixture"));
        var graph = manifest.Graphs.First(g => g.Outputs[0].DType == TensorDType.Float32);
        return (manifest, graph, NpzReader.Read(manifest.ResolvePath(graph.Verify.File)));
    }

    private static void Rewrite(ModelManifest manifest, GraphSpec graph, NpzArchive reference) =>
        NpzWriter.Write(
            manifest.ResolvePath(graph.Verify.File), reference.Keys.Select(k => KeyValuePair.Create(k, reference[k])));

    /// <summary>The same array with one item fewer along the batch axis.</summary>
    private static NpyArray Truncate(NpyArray array)
    {
        int[] shape = [array.Shape[0] - 1, .. array.Shape.Skip(1)];
        var count = array.Length / array.Shape[0] * shape[0];
        return array.DType switch
        {
            NpyDType.Float32 => NpyArray.FromSingle(array.AsSingle()[..count], shape),
            NpyDType.Int64 => NpyArray.FromInt64(array.AsInt64()[..count], shape),
            NpyDType.Bool => NpyArray.FromBoolean(array.AsBoolean()[..count], shape),
            _ => throw new InvalidOperationException($"unexpected dtype {array.DType}"),
        };
    }
}
