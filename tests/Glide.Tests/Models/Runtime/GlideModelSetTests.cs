using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Glide.Models;

namespace Glide.Tests.Models.Runtime;

[Collection(TinyModelSetCollection.Name)]
public sealed class GlideModelSetTests(TinyModelSetFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_tiny_fixture_loads_every_graph_on_the_cpu()
    {
        var set = fixture.Set;

        Assert.Equal(ExecutionDevice.Cpu, set.RequestedDevice);
        Assert.Equal(ExecutionDevice.Cpu, set.EffectiveDevice);
        Assert.Null(set.DeviceFallback);
        Assert.Equal(
            ["base", "base-inpaint", "clip", "upsample", "upsample-inpaint"],
            set.Models.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("base.text", set.BaseText?.Name);
        Assert.Equal("base.unet", set.BaseUNet?.Name);
        Assert.Equal("upsample.text", set.UpsampleText?.Name);
        Assert.Equal("upsample.unet", set.UpsampleUNet?.Name);
        Assert.Equal("base-inpaint.text", set.BaseInpaintText?.Name);
        Assert.Equal("base-inpaint.unet", set.BaseInpaintUNet?.Name);
        Assert.Equal("upsample-inpaint.text", set.UpsampleInpaintText?.Name);
        Assert.Equal("upsample-inpaint.unet", set.UpsampleInpaintUNet?.Name);
        Assert.Equal("clip.text", set.ClipText?.Name);
        Assert.Equal("clip.image", set.ClipImage?.Name);
        Assert.Equal("clip.grad", set.ClipGradient?.Name);
    }

    [Fact]
    public void The_model_options_come_from_the_manifest()
    {
        var set = fixture.Set;

        Assert.Equal(64, set.Models["base"].Options["image_size"].GetInt32());
        Assert.Equal(256, set.Models["upsample"].Options["image_size"].GetInt32());
        Assert.Same(set.Models["upsample"], set.UpsampleUNet!.Model);
        Assert.Equal(50257, set.BaseText!.VocabularySize);
        var text = set.BaseText;
        Assert.Equal((128, 128, 4), (text.ContextLength, text.ProjectionWidth, text.Width));
        var clipText = set.ClipText!;
        Assert.Equal((77, 49408, 16), (clipText.ContextLength, clipText.VocabularySize, clipText.EmbeddingWidth));
        var clipImage = set.ClipImage!;
        Assert.Equal((64, 1000, 16), (clipImage.ImageSize, clipImage.TimestepCount, clipImage.EmbeddingWidth));
    }

    [Fact]
    public void Only_the_requested_models_are_loaded()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "clip");

        Assert.Equal(["clip"], set.Models.Keys);
        Assert.NotNull(set.ClipText);
        Assert.NotNull(set.ClipImage);
        Assert.Null(set.BaseText);
        Assert.Null(set.BaseUNet);
        Assert.Null(set.UpsampleUNet);
        Assert.Null(set.UpsampleInpaintText);
    }

    [Fact]
    public void A_model_without_one_of_its_graphs_names_the_missing_graph()
    {
        var directory = EditedFixture(json => RemoveGraph(json, "base.unet"));

        var error = Assert.Throws<ModelManifestException>(

            () => TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu));

        Assert.Equal("base.unet", error.Graph);
        Assert.Equal("graphs", error.Field);
        Assert.Contains("model 'base' (base) needs graph 'base.unet'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_requested_model_the_directory_lacks_names_its_graphs()
    {
        var directory = EditedFixture(json =>
        {
            RemoveGraph(json, "clip.text");
            RemoveGraph(json, "clip.image");
            RemoveGraph(json, "clip.grad");
            json["models"]!.AsObject().Remove("clip");
        });

        var error = Assert.Throws<ModelManifestException>(

            () => TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu, "base", "clip"));

        Assert.Equal("clip.text", error.Graph);
        Assert.Contains("graphs clip.text and clip.image are required", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no clip model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_a_model_loads_the_others()
    {
        var directory = EditedFixture(json =>
        {
            foreach (var name in new[] { "base", "base-inpaint", "upsample", "upsample-inpaint" })
            {
                RemoveGraph(json, $"{name}.text");
                RemoveGraph(json, $"{name}.unet");
                json["models"]!.AsObject().Remove(name);
            }
        });

        using var set = TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu);

        Assert.Equal(["clip"], set.Models.Keys);
        Assert.Null(set.BaseText);
        Assert.Null(set.BaseUNet);
        Assert.NotNull(set.ClipImage);
    }

    [Fact]
    public void A_clip_model_without_the_gradient_graph_loads_without_it()
    {
        var directory = EditedFixture(json => RemoveGraph(json, "clip.grad"));

        using var set = TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu, "clip");

        Assert.NotNull(set.ClipText);
        Assert.NotNull(set.ClipImage);
        Assert.Null(set.ClipGradient);
    }

    [Fact]
    public void A_graph_with_an_unknown_part_is_refused()
    {
        var directory = EditedFixture(json =>
            json["graphs"]!.AsArray().Single(g => (string?)g!["name"] == "clip.image")!["name"] = "clip.picture");

        var error = Assert.Throws<ModelManifestException>(

            () => TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu));

        Assert.Equal("clip.picture", error.Graph);
        Assert.Contains("expected \"clip.text\" or \"clip.image\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unet_whose_inputs_do_not_fit_its_kind_is_refused()
    {
        var directory = EditedFixture(json =>
        {
            json["models"]!["base"]!["kind"] = "upsample";
            json["models"]!["upsample"]!["kind"] = "base";
        });

        var error = Assert.Throws<ModelManifestException>(
            () => TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu, "upsample"));

        Assert.Equal("base.unet", error.Graph);
        Assert.Contains(
            "upsample UNets take low_res, but this graph takes no extra inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_graph_that_contradicts_its_model_options_is_refused()
    {
        var directory = EditedFixture(json => json["models"]!["base"]!["options"]!["image_size"] = 128);

        var error = Assert.Throws<ModelManifestException>(
            () => TinyModelSetFixture.Load(directory, ExecutionDevice.Cpu, "base"));

        Assert.Equal("base.unet", error.Graph);
        Assert.Equal("inputs (x_t).shape", error.Field);
        Assert.Contains("expected [batch, 3, 128, 128] (the model's image_size)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_model_kind_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(
            () => TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "bass"));

        Assert.Contains("unknown model kind \"bass\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_without_cuda_falls_back_to_the_cpu_and_still_matches_pytorch()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cuda, "base");

        Assert.Equal(ExecutionDevice.Cuda, set.RequestedDevice);
        if (CudaDriverPresent())
        {
            // A machine with a GPU may run CUDA for real; then there is nothing to fall back from.
            var expected = set.DeviceFallback is null ? ExecutionDevice.Cuda : ExecutionDevice.Cpu;
            Assert.Equal(expected, set.EffectiveDevice);
            return;
        }

        Assert.Equal(ExecutionDevice.Cpu, set.EffectiveDevice);
        var fallback = Assert.IsType<ExecutionDeviceFallback>(set.DeviceFallback);
        Assert.Equal((ExecutionDevice.Cuda, ExecutionDevice.Cpu), (fallback.Requested, fallback.Effective));
        Assert.Contains("CUDA execution provider", fallback.Reason, StringComparison.Ordinal);

        var text = fixture.Reference("base.text");
        var unet = fixture.Reference("base.unet");
        var conditioning = set.BaseText!.Encode(text["in.tokens"].AsInt64(), text["in.mask"].AsBoolean(), 2);
        var output = new float[unet["out.model_output"].Length];
        set.BaseUNet!.Run(unet["in.x_t"].AsSingle(), unet["in.timesteps"].AsInt64(), conditioning, null, output);
        RuntimeAssert.Close(text["out.xf_proj"].AsSingle(), conditioning.XfProj, 1e-4, "xf_proj");
        RuntimeAssert.Close(unet["out.model_output"].AsSingle(), output, 1e-4, "model_output");
    }

    [Fact]
    public void A_disposed_set_refuses_to_run()
    {
        var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "clip");
        var clip = set.ClipImage!;

        set.Dispose();
        set.Dispose();

        Assert.Throws<ObjectDisposedException>(() => clip.Encode(new float[3 * 64 * 64], [0]));
    }

    internal static bool CudaDriverPresent()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>A copy of the fixture with an edited manifest.</summary>
    private string EditedFixture(Action<JsonObject> edit)
    {
        var directory = _temp.CopyFrom(TinyFixture.Directory, "fixture");
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        edit(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        return directory;
    }

    private static void RemoveGraph(JsonObject json, string name)
    {
        var graphs = json["graphs"]!.AsArray();
        Assert.True(graphs.Remove(graphs.Single(g => (string?)g!["name"] == name)), $"no graph {name}");
    }
}
