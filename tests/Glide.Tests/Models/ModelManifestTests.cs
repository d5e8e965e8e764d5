using System.Text.Json.Nodes;
using Glide.Models;

namespace Glide.Tests.Models;

public sealed partial class ModelManifestTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManifestBuilder _builder;

    public ModelManifestTests()
    {
        _builder = new ManifestBuilder(_temp.Combine("model"));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Loads_a_valid_manifest_from_the_directory_or_the_file()
    {
        _builder.Save();

        var manifest = ModelManifest.Load(_builder.Directory);
        var again = ModelManifest.Load(_builder.ManifestPath);

        Assert.Equal(_builder.ManifestPath, manifest.ManifestPath);
        Assert.Equal(_builder.Directory, manifest.Directory);
        Assert.Equal(again.ManifestPath, manifest.ManifestPath);
        Assert.Equal(17, manifest.Opset);
        Assert.Equal("tiny", manifest.Config);
        var model = manifest.Models["base"];
        Assert.Equal("base", model.Kind);
        Assert.Equal(1234, model.ParamCount);
        Assert.Equal(32, model.Options["xf_width"].GetInt32());
        Assert.Equal(0, model.Source.Seed);

        var graph = Assert.Single(manifest.Graphs);
        Assert.Equal("base.text", graph.Name);
        Assert.Equal(TensorDType.Bool, graph.Inputs[1].DType);
        Assert.Equal([ShapeDim.Batch, ShapeDim.Fixed(32), ShapeDim.Fixed(128)], graph.Outputs[1].Shape);
        Assert.Equal([2, 32, 128], graph.Outputs[1].ResolveShape(2));
        Assert.Equal(2, graph.Verify.Batch);
        Assert.Equal(Path.Combine(_builder.Directory, "base.text.onnx"), manifest.ResolvePath(graph.File));
        Assert.Same(graph, manifest.GetGraph("base.text"));
    }

    [Theory]
    [InlineData(null, Glide.Diffusion.SamplerKind.Ddim)]
    [InlineData("ddim", Glide.Diffusion.SamplerKind.Ddim)]
    [InlineData("ancestral", Glide.Diffusion.SamplerKind.Ancestral)]
    public void The_optional_sampling_object_names_the_upsampler_sampler(string? name, Glide.Diffusion.SamplerKind kind)
    {
        if (name is not null)
        {
            _builder.Json["sampling"] = new JsonObject { ["upsample_sampler"] = name };
        }

        _builder.Save();

        var sampling = ModelManifest.Load(_builder.Directory).Sampling;
        Assert.Equal(name, sampling.UpsampleSampler);
        Assert.Equal(kind, sampling.UpsampleSamplerKind);
    }

    [Fact]
    public void An_unknown_upsample_sampler_is_named()
    {
        _builder.Json["sampling"] = new JsonObject { ["upsample_sampler"] = "euler" };
        _builder.Save();

        var e = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("sampling.upsample_sampler", e.Field);
        Assert.Contains("expected one of \"ddim\", \"ancestral\", got \"euler\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_source_lists_its_files_as_the_exporter_writes_them()
    {
        var sha = new string('a', 64);
        _builder.Json["config"] = "checkpoint";
        _builder.Json["models"]!["base"]!["source"] = new JsonObject
        {
            ["kind"] = "checkpoint",
            ["files"] = new JsonObject { ["base"] = new JsonObject { ["file"] = "base.pt", ["sha256"] = sha } },
        };
        _builder.Save();

        var source = ModelManifest.Load(_builder.Directory).Models["base"].Source;

        Assert.Equal(ModelSource.CheckpointKind, source.Kind);
        Assert.Equal("base.pt", source.Files!["base"].File);
        Assert.Equal(sha, source.Files["base"].Sha256);
    }

    [Theory]
    [InlineData("{\"kind\": \"checkpoint\"}")]
    [InlineData("{\"kind\": \"checkpoint\", \"files\": {}}")]
    [InlineData("{\"kind\": \"checkpoint\", \"files\": {\"base\": {\"file\": \"base.pt\"}}}")]
    [InlineData("{\"kind\": \"checkpoint\", \"files\": {\"base\": {\"file\": \"base.pt\", \"sha256\": \"ABC\"}}}")]
    public void A_checkpoint_source_without_named_hashed_files_is_refused(string source)
    {
        _builder.Json["models"]!["base"]!["source"] = JsonNode.Parse(source);
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Contains("source.files", error.Message);
    }

    [Fact]
    public void A_missing_manifest_is_named()
    {
        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal($"{_builder.ManifestPath}: not found", error.Message);
    }

    [Fact]
    public void Invalid_json_names_the_line()
    {
        File.WriteAllText(_builder.ManifestPath, "{\n  \"format\": \n}");

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Contains("not valid JSON (line 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_format_version_names_the_field_and_both_versions()
    {
        _builder.Json["format_version"] = 2;
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("format_version", error.Field);
        Assert.Null(error.Graph);
        Assert.Equal(
            $"{_builder.ManifestPath}: field 'format_version': expected 1 (the version this runtime reads), got 2",
            error.Message);
    }

    [Fact]
    public void A_foreign_format_is_rejected_before_anything_else()
    {
        _builder.Json["format"] = "something-else";
        _builder.Json.Remove("graphs");
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("format", error.Field);
        Assert.Contains("expected \"glide-onnx-manifest\", got \"something-else\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_graph_file_names_the_graph_and_field()
    {
        File.Delete(Path.Combine(_builder.Directory, "base.text.onnx"));
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("base.text", error.Graph);
        Assert.Equal("file", error.Field);
        Assert.StartsWith(
            $"{_builder.ManifestPath}: graph 'base.text': field 'file': file \"base.text.onnx\" does not exist",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_sha256_gives_expected_and_actual()
    {
        var declared = new string('0', 64);
        _builder.Graph["sha256"] = declared;
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("sha256", error.Field);
        Assert.Equal("base.text", error.Graph);
        Assert.Matches($"expected {declared}, but base.text.onnx hashes to [0-9a-f]{{64}}$", error.Message);
    }

    [Fact]
    public void Hashes_can_be_skipped()
    {
        _builder.Graph["sha256"] = new string('0', 64);
        _builder.Save();

        var manifest = ModelManifest.Load(_builder.Directory, verifyHashes: false);

        Assert.Single(manifest.Graphs);
    }

    [Fact]
    public void A_malformed_sha256_is_rejected()
    {
        _builder.Graph["sha256"] = "ABC";
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("sha256", error.Field);
        Assert.Contains("expected 64 lowercase hex digits, got \"ABC\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_dtype_names_the_graph_the_field_and_the_allowed_values()
    {
        _builder.Graph["inputs"]![1]!["dtype"] = "float16";
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("base.text", error.Graph);
        Assert.Equal("inputs[1].dtype", error.Field);
        Assert.Contains("expected one of \"float32\", \"int64\", \"bool\", got \"float16\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"batches\"")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    public void A_bad_shape_entry_names_the_field(string entry)
    {
        _builder.Graph["outputs"]![0]!["shape"]![1] = JsonNode.Parse(entry);
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("outputs[0].shape[1]", error.Field);
        Assert.Contains("expected a positive integer or \"batch\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        _builder.Graph.Remove("sha256");
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("base.text", error.Graph);
        Assert.Equal("sha256", error.Field);
        Assert.EndsWith("graph 'base.text': field 'sha256': is required but missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_a_value_is_required_is_named()
    {
        _builder.Graph["file"] = null;
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("base.text", error.Graph);
        Assert.Equal("file", error.Field);
    }

    [Theory]
    [InlineData("../outside.onnx")]
    [InlineData("/etc/passwd")]
    public void Paths_must_stay_inside_the_model_directory(string file)
    {
        _builder.Graph["file"] = file;
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("file", error.Field);
        Assert.Contains("expected a relative path inside the model directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_verify_file_is_named()
    {
        File.Delete(Path.Combine(_builder.Directory, "verify", "base.text.npz"));
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("verify.file", error.Field);
    }

    [Fact]
    public void A_graph_of_an_unknown_model_is_rejected()
    {
        _builder.Graph["model"] = "upsample";
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("model", error.Field);
        Assert.Contains("got \"upsample\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_graph_names_are_rejected()
    {
        _builder.Json["graphs"]!.AsArray().Add(_builder.Graph.DeepClone());
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("name", error.Field);
        Assert.Contains("appears more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        _builder.Graph["inputs"]![1]!["name"] = "tokens";
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("inputs[1].name", error.Field);
    }

    [Fact]
    public void An_unknown_model_kind_is_rejected()
    {
        _builder.Json["models"]!["base"]!["kind"] = "decoder";
        _builder.Save();

        var error = Assert.Throws<ModelManifestException>(() => ModelManifest.Load(_builder.Directory));

        Assert.Equal("models.base.kind", error.Field);
    }

    [Fact]
    public void GetGraph_names_the_graphs_there_are()
    {
        _builder.Save();
        var manifest = ModelManifest.Load(_builder.Directory);

        var error = Assert.Throws<ModelManifestException>(() => manifest.GetGraph("clip.text"));

        Assert.Contains("no such graph (the manifest has base.text)", error.Message, StringComparison.Ordinal);
    }
}
