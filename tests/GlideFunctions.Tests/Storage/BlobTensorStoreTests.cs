using System.Text;
using Azure.Storage.Blobs;
using Glide.Imaging;
using Glide.Tensors;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Azurite;

namespace GlideFunctions.Tests.Storage;

/// <summary>Against a real Azurite; every test has a container of its own.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobTensorStoreTests
{
    private const string Run = "run-1";
    private const int Any = BlobTensorStore.AnyDimension;

    private readonly BlobContainerClient _container;
    private readonly BlobTensorStore _store;

    public BlobTensorStoreTests(AzuriteFixture azurite)
    {
        _container = azurite.NewContainer();
        _store = new BlobTensorStore(_container);
    }

    public static TheoryData<string, int[]> StageShapes => new()
    {
        { RunBlobNames.Text(Run, "base.xf_proj"), [2, 512] },      // [2, D]: conditional, unconditional
        { RunBlobNames.Text(Run, "base.xf_out"), [2, 512, 128] },  // [2, W, T]
        { RunBlobNames.Text(Run, "upsample.xf_out"), [1, 512, 128] },
        { RunBlobNames.BaseChunk(Run, 0), [4, 3, 64, 64] },
        { RunBlobNames.RerankScores(Run), [8] },
        { RunBlobNames.Upsampled(Run, 1), [2, 3, 256, 256] },
    };

    [Theory]
    [MemberData(nameof(StageShapes))]
    public async Task Float32_tensors_of_the_stage_shapes_round_trip_bit_for_bit(string blobName, int[] shape)
    {
        var written = NpyArray.FromSingle(Floats(Count(shape), seed: shape.Length), shape);

        await _store.WriteAsync(blobName, written, CancellationToken.None);
        var read = await _store.ReadAsync(blobName, NpyDType.Float32, shape, CancellationToken.None);

        Assert.Equal(shape, read.Shape);
        Assert.Equal(Bits(written.AsSingle()), Bits(read.AsSingle()));
    }

    [Fact]
    public async Task Int64_and_bool_tensors_round_trip()
    {
        long[] tokens = [.. Enumerable.Range(0, 256).Select(i => i * 1_000_003L - 50_000)];
        tokens[0] = long.MinValue;
        tokens[^1] = long.MaxValue;
        bool[] mask = [.. Enumerable.Range(0, 256).Select(i => i % 128 < 7)];
        var tokensName = RunBlobNames.Text(Run, "base.tokens");
        var maskName = RunBlobNames.Text(Run, "base.mask");

        await _store.WriteAsync(tokensName, NpyArray.FromInt64(tokens, 2, 128), CancellationToken.None);
        await _store.WriteAsync(maskName, NpyArray.FromBoolean(mask, 2, 128), CancellationToken.None);
        var readTokens = await _store.ReadAsync(tokensName, NpyDType.Int64, [2, 128], CancellationToken.None);
        var readMask = await _store.ReadAsync(maskName, NpyDType.Bool, [2, 128], CancellationToken.None);

        Assert.Equal(tokens, readTokens.AsInt64());
        Assert.Equal(mask, readMask.AsBoolean());
    }

    [Fact]
    public async Task Tensors_are_stored_as_npy_1_0_little_endian_float32_c_order()
    {
        var name = RunBlobNames.BaseChunk(Run, 0);
        await _store.WriteAsync(name, NpyArray.FromSingle([1f, -2f], 1, 2), CancellationToken.None);

        var blob = _container.GetBlobClient(name);
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        var properties = (await blob.GetPropertiesAsync()).Value;
        var header = Encoding.Latin1.GetString(bytes, 10, bytes[8] | (bytes[9] << 8));

        Assert.Equal("application/x-npy", properties.ContentType);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", header, StringComparison.Ordinal);
        Assert.Equal([0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0], bytes[^8..]); // 1.0f, -2.0f little-endian
    }

    [Fact]
    public async Task Any_dimension_matches_every_length_but_the_rank_must_match()
    {
        var name = RunBlobNames.BaseChunk(Run, 2);
        await _store.WriteAsync(name, NpyArray.FromSingle(new float[3 * 3 * 64 * 64], 3, 3, 64, 64), CancellationToken.None);

        var read = await _store.ReadAsync(name, NpyDType.Float32, [Any, 3, 64, 64], CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [Any, 64, 64], CancellationToken.None));

        Assert.Equal([3, 3, 64, 64], read.Shape);
        Assert.Contains("expected float32 (*, 64, 64), found float32 (3, 3, 64, 64)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_with_the_wrong_shape_names_the_blob_and_both_shapes()
    {
        var name = RunBlobNames.Upsampled(Run, 0);
        await _store.WriteAsync(name, NpyArray.FromSingle(new float[2 * 3 * 64 * 64], 2, 3, 64, 64), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [2, 3, 256, 256], CancellationToken.None));

        Assert.Contains($"blob '{name}' in container '{_container.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected float32 (2, 3, 256, 256), found float32 (2, 3, 64, 64)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_with_the_wrong_dtype_names_the_blob_and_both_dtypes()
    {
        var name = RunBlobNames.Text(Run, "base.tokens");
        await _store.WriteAsync(name, NpyArray.FromInt64(new long[256], 2, 128), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [2, 128], CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected float32 (2, 128), found int64 (2, 128)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Float16_data_is_not_taken_for_float32()
    {
        // What numpy writes for np.array([1, 2, 3, 4], dtype="<f2"): NpyReader would widen it to float32 silently.
        var name = RunBlobNames.RerankScores(Run);
        await UploadRawAsync(name, Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", [0, 0x3C, 0, 0x40, 0, 0x42, 0, 0x44]));

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [4], CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("holds 8 data bytes for (4,), expected 16 for float32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_after_the_data_are_rejected()
    {
        var name = RunBlobNames.RerankScores(Run);
        await UploadRawAsync(name, Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0x80, 0x3F, 0xEE]));

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [1], CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 bytes follow the data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_that_is_not_npy_fails_naming_it()
    {
        var name = RunBlobNames.BaseChunk(Run, 0);
        await UploadRawAsync(name, Encoding.ASCII.GetBytes("<html>not a tensor</html>"));

        var error = await Assert.ThrowsAsync<NpyFormatException>(
            () => _store.ReadAsync(name, NpyDType.Float32, [Any, 3, 64, 64], CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("magic string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overwriting_a_blob_gives_the_new_content()
    {
        // A retried activity writes the same name again, possibly with another chunk size.
        var name = RunBlobNames.BaseChunk(Run, 0);
        await _store.WriteAsync(name, NpyArray.FromSingle(Floats(2 * 3 * 64 * 64, seed: 1), 2, 3, 64, 64), CancellationToken.None);
        var retry = NpyArray.FromSingle(Floats(3 * 64 * 64, seed: 2), 1, 3, 64, 64);

        await _store.WriteAsync(name, retry, CancellationToken.None);
        var read = await _store.ReadAsync(name, NpyDType.Float32, [Any, 3, 64, 64], CancellationToken.None);

        Assert.Equal([1, 3, 64, 64], read.Shape);
        Assert.Equal(Bits(retry.AsSingle()), Bits(read.AsSingle()));
        Assert.Single(_container.GetBlobs());
    }

    [Fact]
    public async Task A_missing_blob_is_not_found_naming_it()
    {
        await _store.WriteAsync(RunBlobNames.BaseChunk(Run, 0), NpyArray.FromSingle([0f], 1), CancellationToken.None);
        var missing = RunBlobNames.BaseChunk(Run, 1);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(
            () => _store.ReadAsync(missing, NpyDType.Float32, [1], CancellationToken.None));

        Assert.Equal(missing, error.FileName);
        Assert.Contains($"blob '{missing}' in container '{_container.Name}' not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_in_a_container_not_yet_created_is_not_found_naming_it()
    {
        var missing = RunBlobNames.Image(Run, 0);

        var tensor = await Assert.ThrowsAsync<FileNotFoundException>(
            () => _store.ReadAsync(RunBlobNames.Upsampled(Run, 0), NpyDType.Float32, [1], CancellationToken.None));
        var image = await Assert.ThrowsAsync<FileNotFoundException>(() => _store.OpenReadAsync(missing, CancellationToken.None));

        Assert.Contains(RunBlobNames.Upsampled(Run, 0), tensor.Message, StringComparison.Ordinal);
        Assert.Contains($"blob '{missing}' in container '{_container.Name}' not found", image.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Png_bytes_read_back_equal_with_an_image_content_type()
    {
        var png = PngFile.Encode([.. Enumerable.Range(0, 4 * 4 * 3).Select(i => (byte)(i * 5))], 4, 4);
        var name = RunBlobNames.Image(Run, 0);

        await _store.WritePngAsync(name, png, CancellationToken.None);
        await using var stream = await _store.OpenReadAsync(name, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(png, copy.ToArray());
        Assert.Equal("image/png", (await _container.GetBlobClient(name).GetPropertiesAsync()).Value.ContentType);
    }

    [Fact]
    public async Task Bytes_that_are_not_a_png_are_refused_before_upload()
    {
        var name = RunBlobNames.BasePreview(Run, 0);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => _store.WritePngAsync(name, Encoding.ASCII.GetBytes("GIF89a"), CancellationToken.None));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.False(await _store.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task Names_with_the_wrong_extension_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => _store.WriteAsync(RunBlobNames.Image(Run, 0), NpyArray.FromSingle([0f], 1), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(
            () => _store.WritePngAsync(RunBlobNames.BaseChunk(Run, 0), PngFile.Encode(new byte[3], 1, 1), CancellationToken.None));
    }

    [Fact]
    public async Task Exists_is_true_only_for_written_blobs()
    {
        var name = RunBlobNames.Upsampled(Run, 0);

        var beforeContainer = await _store.ExistsAsync(name, CancellationToken.None);
        await _store.WriteAsync(RunBlobNames.Upsampled(Run, 1), NpyArray.FromSingle([0f], 1), CancellationToken.None);
        var beforeBlob = await _store.ExistsAsync(name, CancellationToken.None);
        await _store.WriteAsync(name, NpyArray.FromSingle([0f], 1), CancellationToken.None);

        Assert.False(beforeContainer);
        Assert.False(beforeBlob);
        Assert.True(await _store.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteRunAsync_removes_that_runs_blobs_and_no_others()
    {
        var tensor = NpyArray.FromSingle([0f], 1);
        var png = PngFile.Encode(new byte[3], 1, 1);
        foreach (var run in new[] { "a", "ab", "a-b" })
        {
            await _store.WriteAsync(RunBlobNames.Text(run, "base.xf_proj"), tensor, CancellationToken.None);
            await _store.WriteAsync(RunBlobNames.BaseChunk(run, 0), tensor, CancellationToken.None);
            await _store.WritePngAsync(RunBlobNames.Image(run, 0), png, CancellationToken.None);
        }

        await _container.GetBlobClient("elsewhere/a/0.npy").UploadAsync(BinaryData.FromString("x"));

        var deleted = await _store.DeleteRunAsync("a", CancellationToken.None);
        var again = await _store.DeleteRunAsync("a", CancellationToken.None);
        var left = _container.GetBlobs().Select(b => b.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(3, deleted);
        Assert.Equal(0, again);
        Assert.Equal(
            [
                "elsewhere/a/0.npy",
                "runs/a-b/base/0.npy", "runs/a-b/images/0.png", "runs/a-b/text/base.xf_proj.npy",
                "runs/ab/base/0.npy", "runs/ab/images/0.png", "runs/ab/text/base.xf_proj.npy",
            ],
            left);
    }

    [Fact]
    public async Task DeleteRunAsync_in_a_container_not_yet_created_deletes_nothing()
    {
        Assert.Equal(0, await _store.DeleteRunAsync(Run, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteRunAsync("../x", CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_first_writes_share_one_container_creation()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _store.WriteAsync(RunBlobNames.BaseChunk(Run, i), NpyArray.FromSingle([i], 1), CancellationToken.None)));

        Assert.Equal(8, _container.GetBlobs().Count());
    }

    private async Task UploadRawAsync(string name, byte[] bytes)
    {
        await _container.CreateIfNotExistsAsync();
        await _container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
    }

    /// <summary>A format 1.0 file: the header padded with spaces so the data starts at byte 64.</summary>
    private static byte[] Npy(string header, byte[] data)
    {
        var text = header.PadRight(64 - 10 - 1) + "\n";
        byte[] prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)text.Length, 0];
        return [.. prefix, .. Encoding.Latin1.GetBytes(text), .. data];
    }

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Values of every kind a tensor can hold, bit patterns included: ±0, subnormals, ±∞, NaN.</summary>
    private static float[] Floats(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }

        float[] special = [-0f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        special.AsSpan(0, Math.Min(special.Length, count)).CopyTo(values);
        return values;
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
