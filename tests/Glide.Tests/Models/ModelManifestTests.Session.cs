using System.Text.Json.Nodes;
using Glide.Models;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Tests.Models;

/// <summary>ValidateSession against the real graphs of the tiny fixture (tests/fixtures/tiny).</summary>
public sealed partial class ModelManifestTests
{
    public static TheoryData<string> FixtureGraphs() => TinyFixture.GraphNames();

    [Theory]
    [MemberData(nameof(FixtureGraphs))]
    public void Every_fixture_graph_matches_its_session(string graphName)
    {
        var manifest = TinyFixture.Load();
        var graph = manifest.GetGraph(graphName);
        using var session = new InferenceSession(manifest.ResolvePath(graph.File));

        manifest.ValidateSession(graph, session);
    }

    [Fact]
    public void A_renamed_input_lists_missing_and_undeclared_names()
    {
        string? original = null;
        var error = ValidateMutatedFixture(graph =>
        {
            original = graph["inputs"]![0]!["name"]!.GetValue<string>();
            graph["inputs"]![0]!["name"] = "renamed";
        });

        Assert.Equal("inputs", error.Field);
        Assert.Contains("missing: [renamed]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"undeclared: [{original}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_dtype_gives_expected_and_actual()
    {
        string? name = null;
        string? actual = null;
        var error = ValidateMutatedFixture(graph =>
        {
            var input = graph["inputs"]![0]!;
            name = input["name"]!.GetValue<string>();
            actual = input["dtype"]!.GetValue<string>();
            input["dtype"] = actual == "float32" ? "int64" : "float32";
        });

        Assert.Equal($"inputs[0] ({name}).dtype", error.Field);
        Assert.EndsWith($"but the graph has {actual}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_fixed_dimension_gives_expected_and_actual()
    {
        string? field = null;
        var error = ValidateMutatedFixture(graph =>
        {
            var outputs = graph["outputs"]!.AsArray();
            for (var i = 0; i < outputs.Count && field is null; i++)
            {
                var shape = outputs[i]!["shape"]!.AsArray();
                var d = shape.ToList().FindIndex(n => n is JsonValue v && v.TryGetValue<int>(out _));
                if (d >= 0)
                {
                    shape[d] = shape[d]!.GetValue<int>() + 1;
                    field = $"outputs[{i}] ({outputs[i]!["name"]}).shape";
                }
            }

            Assert.NotNull(field);
        });

        Assert.Equal(field, error.Field);
        Assert.Contains("but the graph has [", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_batch_axis_must_be_dynamic()
    {
        var error = ValidateMutatedFixture(graph => graph["inputs"]![0]!["shape"]![0] = 2);

        Assert.EndsWith(".shape", error.Field, StringComparison.Ordinal);
        Assert.Contains("(dynamic)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Copies the fixture, edits its first graph's entry, and returns what ValidateSession throws.</summary>
    private ModelManifestException ValidateMutatedFixture(Action<JsonObject> mutateFirstGraph)
    {
        var directory = _temp.CopyFrom(TinyFixture.Load().Directory, "fixture");
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        mutateFirstGraph(json["graphs"]![0]!.AsObject());
        File.WriteAllText(manifestPath, json.ToJsonString());

        var manifest = ModelManifest.Load(directory);
        var graph = manifest.Graphs[0];
        using var session = new InferenceSession(manifest.ResolvePath(graph.File));
        var error = Assert.Throws<ModelManifestException>(() => manifest.ValidateSession(graph, session));
        Assert.Equal(manifestPath, error.ManifestPath);
        Assert.Equal(graph.Name, error.Graph);
        return error;
    }
}
