using Glide.Models;
using Glide.Tensors;

namespace Glide.Tests.Models.Runtime;

[Collection(TinyModelSetCollection.Name)]
public sealed class UNetGraphTests(TinyModelSetFixture fixture)
{
    public static TheoryData<string> UNetGraphs() => TinyModelSetFixture.UNetGraphs();

    public static TheoryData<string> BatchTwoUNetGraphs() => ["base.unet", "base-inpaint.unet"];

    [Theory]
    [MemberData(nameof(UNetGraphs))]
    public void Run_reproduces_the_pytorch_output(string graphName)
    {
        var (unet, reference, text) = Verify(graphName);
        var output = new float[reference["out.model_output"].Length];

        unet.Run(X(reference), Timesteps(reference), text, fixture.Extras(graphName), output);

        RuntimeAssert.Close(reference["out.model_output"].AsSingle(), output, 1e-4, graphName);
    }

    [Theory]
    [MemberData(nameof(UNetGraphs))]
    public void The_text_graphs_output_feeds_the_unet_as_the_verify_data_does(string graphName)
    {
        // The exporter made the UNet's verify xf_proj/xf_out by encoding the first rows of the text graph's tokens.
        var unet = fixture.UNet(graphName);
        var textName = graphName.Replace(".unet", ".text", StringComparison.Ordinal);
        var tokens = fixture.Reference(textName)["in.tokens"];
        var mask = fixture.Reference(textName)["in.mask"];
        var reference = fixture.Reference(graphName);
        var encoded = fixture.Text(textName).Encode(tokens.AsInt64(), mask.AsBoolean(), tokens.Shape[0]);
        var text = encoded.SelectRows([.. Enumerable.Range(0, Timesteps(reference).Length)]);
        var output = new float[reference["out.model_output"].Length];

        unet.Run(X(reference), Timesteps(reference), text, fixture.Extras(graphName), output);

        RuntimeAssert.Close(reference["out.model_output"].AsSingle(), output, 1e-4, $"{textName} → {graphName}");
    }

    [Theory]
    [MemberData(nameof(BatchTwoUNetGraphs))]
    public void Batch_sizes_one_two_one_give_the_same_rows(string graphName)
    {
        var (unet, reference, text) = Verify(graphName);
        var x = X(reference);
        var timesteps = Timesteps(reference);
        var extras = fixture.Extras(graphName);
        var inRow = unet.InputRowLength;
        var outRow = unet.OutputRowLength;
        var row0 = new float[outRow];
        var both = new float[2 * outRow];
        var row1 = new float[outRow];
        var row0Again = new float[outRow];

        unet.Run(x.AsSpan(0, inRow), timesteps.AsSpan(0, 1), text.SelectRows([0]), Row(extras, 0), row0);
        unet.Run(x, timesteps, text, extras, both);
        unet.Run(x.AsSpan(inRow), timesteps.AsSpan(1), text.SelectRows([1]), Row(extras, 1), row1);
        unet.Run(x.AsSpan(0, inRow), timesteps.AsSpan(0, 1), text.SelectRows([0]), Row(extras, 0), row0Again);

        RuntimeAssert.Close(both.AsSpan(0, outRow), row0, 1e-5, "row 0: batch 1 vs batch 2");
        RuntimeAssert.Close(both.AsSpan(outRow), row1, 1e-5, "row 1: batch 1 vs batch 2");
        RuntimeAssert.Close(row0, row0Again, 1e-6, "row 0: batch 1 before and after batch 2");
    }

    [Fact]
    public void A_new_conditioning_for_the_same_batch_size_is_not_served_from_the_previous_run()
    {
        var (unet, reference, text) = Verify("base.unet");
        var outRow = unet.OutputRowLength;
        var first = new float[2 * outRow];
        var repeated = new float[2 * outRow];
        var firstAgain = new float[2 * outRow];

        unet.Run(X(reference), Timesteps(reference), text, null, first);
        unet.Run(X(reference), Timesteps(reference), text.Repeat(0, 2), null, repeated);
        unet.Run(X(reference), Timesteps(reference), text, null, firstAgain);

        // Row 0 has the same inputs in both batches; row 1 changes from the unconditional text to the prompt's.
        RuntimeAssert.Close(first.AsSpan(0, outRow), repeated.AsSpan(0, outRow), 1e-5, "row 0");
        Assert.False(first.AsSpan(outRow).SequenceEqual(repeated.AsSpan(outRow)), "row 1 ignored its new text");
        RuntimeAssert.Close(first, firstAgain, 1e-6, "the first conditioning again");
    }

    [Fact]
    public void Concurrent_runs_match_a_serial_run()
    {
        var (unet, reference, text) = Verify("base.unet");
        var serial = new float[2 * unet.OutputRowLength];
        unet.Run(X(reference), Timesteps(reference), text, null, serial);
        var outputs = new float[4][];

        Parallel.For(0, outputs.Length, i =>
        {
            outputs[i] = new float[serial.Length];
            unet.Run(X(reference), Timesteps(reference), text, null, outputs[i]);
        });

        foreach (var output in outputs)
        {
            RuntimeAssert.Close(serial, output, 1e-6, "concurrent run");
        }
    }

    [Fact]
    public void A_repeated_run_allocates_no_buffers()
    {
        var (unet, reference, text) = Verify("base.unet");
        var x = X(reference);
        var timesteps = Timesteps(reference);
        var output = new float[2 * unet.OutputRowLength];
        unet.Run(x, timesteps, text, null, output);
        const int runs = 5;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
        {
            unet.Run(x, timesteps, text, null, output);
        }

        var perRun = (GC.GetAllocatedBytesForCurrentThread() - before) / runs;

        // ONNX Runtime's managed Run allocates ~400 bytes of its own; the x_t input alone is 96 KiB.
        Assert.True(perRun < 4096, $"{perRun} bytes allocated per run");
    }

    [Fact]
    public void An_x_of_the_wrong_length_gives_expected_and_actual()
    {
        var (unet, _, text) = Verify("base.unet");
        var x = new float[(2 * unet.InputRowLength) - 1];

        var error = Assert.Throws<ArgumentException>(
            () => unet.Run(x, new long[2], text, null, new float[2 * unet.OutputRowLength]));

        Assert.Equal("x", error.ParamName);
        Assert.StartsWith(
            "expected 24576 values ([2, 3, 64, 64] for batch 2), got 24575", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_of_the_wrong_length_gives_expected_and_actual()
    {
        var (unet, _, text) = Verify("base.unet");
        var output = new float[unet.OutputRowLength];

        var error = Assert.Throws<ArgumentException>(
            () => unet.Run(new float[2 * unet.InputRowLength], new long[2], text, null, output));

        Assert.Equal("output", error.ParamName);
        Assert.StartsWith(
            "expected 49152 values ([2, 6, 64, 64] for batch 2), got 24576", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_rows_must_match_the_batch()
    {
        var (unet, _, text) = Verify("base.unet");

        var error = Assert.Throws<ArgumentException>(
            () => unet.Run(new float[unet.InputRowLength], new long[1], text, null, new float[unet.OutputRowLength]));

        Assert.Equal("text", error.ParamName);
        Assert.Contains("expected xf_proj [1, 128] and xf_out [1, 4, 128]", error.Message, StringComparison.Ordinal);
        Assert.Contains("got xf_proj [2, 128]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_timesteps_is_refused()
    {
        var (unet, _, text) = Verify("base.unet");

        Assert.Throws<ArgumentException>("timesteps", () => unet.Run([], [], text, null, []));
    }

    [Fact]
    public void An_upsampler_without_low_res_names_the_input()
    {
        var unet = fixture.Set.UpsampleUNet!;
        var text = fixture.Set.UpsampleText!.Encode(new long[128], new bool[128], 1);

        var error = Assert.Throws<ArgumentException>(
            () => unet.Run(new float[unet.InputRowLength], [999], text, null, new float[unet.OutputRowLength]));

        Assert.Equal("extras", error.ParamName);
        Assert.StartsWith(
            "upsample.unet needs low_res [1, 3, 64, 64], but extras has none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_low_res_of_the_wrong_size_gives_expected_and_actual()
    {
        var unet = fixture.Set.UpsampleUNet!;
        var text = fixture.Set.UpsampleText!.Encode(new long[128], new bool[128], 1);
        var extras = new UNetExtras { LowRes = new float[3 * 256 * 256] };

        var error = Assert.Throws<ArgumentException>(
            () => unet.Run(new float[unet.InputRowLength], [999], text, extras, new float[unet.OutputRowLength]));

        Assert.Equal("extras (low_res)", error.ParamName);
        Assert.StartsWith(
            "expected 12288 values ([1, 3, 64, 64] for batch 1), got 196608", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extra_input_the_graph_does_not_take_is_refused()
    {
        var (unet, _, text) = Verify("base.unet");
        var extras = new UNetExtras { LowRes = new float[2 * 3 * 64 * 64] };

        var error = Assert.Throws<ArgumentException>(() => RunBatchOfTwo(unet, text, extras));

        Assert.Equal("extras", error.ParamName);
        Assert.StartsWith("base.unet takes no low_res", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inpainting_model_without_its_mask_names_it()
    {
        var (unet, reference, text) = Verify("base-inpaint.unet");
        var extras = new UNetExtras { InpaintImage = reference["in.inpaint_image"].AsSingle() };

        var error = Assert.Throws<ArgumentException>(() => RunBatchOfTwo(unet, text, extras));

        Assert.StartsWith(
            "base-inpaint.unet needs inpaint_mask [2, 1, 64, 64]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wrappers_describe_their_graphs()
    {
        var set = fixture.Set;

        Assert.Equal((64, false, false, 0), Describe(set.BaseUNet!));
        Assert.Equal((256, true, false, 64), Describe(set.UpsampleUNet!));
        Assert.Equal((64, false, true, 0), Describe(set.BaseInpaintUNet!));
        Assert.Equal((256, true, true, 64), Describe(set.UpsampleInpaintUNet!));
        Assert.Equal(3 * 64 * 64, set.BaseUNet!.InputRowLength);
        Assert.Equal(6 * 256 * 256, set.UpsampleUNet!.OutputRowLength);
    }

    private static (int, bool, bool, int) Describe(UNetGraph unet) =>
        (unet.ImageSize, unet.HasLowRes, unet.HasInpaint, unet.LowResSize);

    private static float[] X(NpzArchive reference) => reference["in.x_t"].AsSingle();

    private static long[] Timesteps(NpzArchive reference) => reference["in.timesteps"].AsInt64();

    private static void RunBatchOfTwo(UNetGraph unet, TextConditioning text, UNetExtras? extras) =>
        unet.Run(new float[2 * unet.InputRowLength], new long[2], text, extras, new float[2 * unet.OutputRowLength]);

    /// <summary>The graph, its verify arrays, and the verify xf_proj/xf_out as a conditioning.</summary>
    private (UNetGraph Unet, NpzArchive Reference, TextConditioning Text) Verify(string graphName)
    {
        var unet = fixture.UNet(graphName);
        var reference = fixture.Reference(graphName);
        var text = TextConditioning.Create(
            reference["in.xf_proj"].AsSingle(), reference["in.xf_out"].AsSingle(), Timesteps(reference).Length,
            unet.ProjectionWidth, unet.TextWidth, unet.ContextLength);
        return (unet, reference, text);
    }

    /// <summary>Row <paramref name="row"/> of each extra input of a batch of two.</summary>
    private static UNetExtras? Row(UNetExtras? extras, int row)
    {
        static ReadOnlyMemory<float> Half(ReadOnlyMemory<float> data, int row) =>
            data.Slice(row * (data.Length / 2), data.Length / 2);

        return extras is null
            ? null
            : new UNetExtras
            {
                LowRes = Half(extras.LowRes, row),
                InpaintImage = Half(extras.InpaintImage, row),
                InpaintMask = Half(extras.InpaintMask, row),
            };
    }
}
