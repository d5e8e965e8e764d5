using Glide.Models;

namespace GlideFunctions.Bench;

/// <summary>
/// The text conditioning's shapes, the only stage tensors whose size depends on the model: xf_proj [rows, D] and
/// xf_out [rows, W, T], 2 rows for the base (prompt + unconditional), 1 for the upsampler.
/// </summary>
internal sealed record TextShapes(
    int BaseProjection, int BaseWidth, int BaseContext, int UpsampleProjection, int UpsampleWidth, int UpsampleContext)
{
    /// <summary>
    /// The released GLIDE models (shared/glide-spec.md §4 and §10): xf_width 512, text_ctx 128, model_channels 192 so
    /// xf_proj is 4·192 = 768 wide, for the base and the upsampler alike.
    /// </summary>
    public static TextShapes FullSize { get; } = new(768, 512, 128, 768, 512, 128);

    public static TextShapes Of(GlideModelSet models)
    {
        var baseUNet = models.BaseUNet ?? throw new InvalidOperationException("no base.unet graph");
        var upsample = models.UpsampleUNet ?? throw new InvalidOperationException("no upsample.unet graph");
        return new(
            baseUNet.ProjectionWidth, baseUNet.TextWidth, baseUNet.ContextLength,
            upsample.ProjectionWidth, upsample.TextWidth, upsample.ContextLength);
    }
}

/// <summary>Bytes a generation writes and reads through the runs container (progress and cancel signals aside).</summary>
internal sealed record BlobTraffic(long Written, long Read, int Writes, int Reads)
{
    public long Total => Written + Read;

    public static BlobTraffic operator -(BlobTraffic a, BlobTraffic b) =>
        new(a.Written - b.Written, a.Read - b.Read, a.Writes - b.Writes, a.Reads - b.Reads);

    public double Seconds(StorageCosts costs) =>
        (Writes * costs.Write.CallSeconds) + (Written * costs.Write.SecondsPerByte)
        + (Reads * costs.Read.CallSeconds) + (Read * costs.Read.SecondsPerByte);

    /// <summary>Seconds for the byte difference only (the per-call cost is already in what was measured).</summary>
    public double ByteSeconds(StorageCosts costs) =>
        (Written * costs.Write.SecondsPerByte) + (Read * costs.Read.SecondsPerByte);

    /// <summary>
    /// What the activities move for <paramref name="candidates"/> candidates in chunks of <paramref name="chunkSize"/>
    /// and <paramref name="outputs"/> upsampled images (<c>Activities/*.cs</c>): EncodeText writes the four text
    /// arrays; each SampleBase reads the base pair and writes its chunk [c, 3, 64, 64]; each Upsample reads the
    /// upsampler pair and its whole chunk and writes [1, 3, 256, 256] and the PNG.
    /// </summary>
    public static BlobTraffic All(TextShapes text, int candidates, int chunkSize, int outputs, long pngBytes)
    {
        var (baseText, upsampleText) = TextBytes(text);
        var chunks = (candidates + chunkSize - 1) / chunkSize;
        long written = baseText + upsampleText, read = 0;
        int writes = 4, reads = 0;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var length = Math.Min(chunkSize, candidates - (chunk * chunkSize));
            read += baseText;
            reads += 2;
            written += StorageProbe.NpyBytes(length, 3, 64, 64);
            writes++;
        }

        for (var index = 0; index < outputs; index++)
        {
            var chunk = index / chunkSize;
            var length = Math.Min(chunkSize, candidates - (chunk * chunkSize));
            read += upsampleText + StorageProbe.NpyBytes(length, 3, 64, 64);
            reads += 3;
            written += StorageProbe.NpyBytes(1, 3, 256, 256) + pngBytes;
            writes += 2;
        }

        return new BlobTraffic(written, read, writes, reads);
    }

    /// <summary>What the client waits for when the fan-out runs in parallel: EncodeText, one full chunk, one image.</summary>
    public static BlobTraffic CriticalPath(TextShapes text, int candidates, int chunkSize, long pngBytes)
    {
        var (baseText, upsampleText) = TextBytes(text);
        var length = Math.Min(chunkSize, candidates);
        var chunkBytes = StorageProbe.NpyBytes(length, 3, 64, 64);
        return new BlobTraffic(
            baseText + upsampleText + chunkBytes + StorageProbe.NpyBytes(1, 3, 256, 256) + pngBytes,
            baseText + upsampleText + chunkBytes,
            4 + 1 + 2,
            2 + 3);
    }

    private static (long Base, long Upsample) TextBytes(TextShapes t) => (
        StorageProbe.NpyBytes(2, t.BaseProjection) + StorageProbe.NpyBytes(2, t.BaseWidth, t.BaseContext),
        StorageProbe.NpyBytes(1, t.UpsampleProjection) + StorageProbe.NpyBytes(1, t.UpsampleWidth, t.UpsampleContext));
}
