using System.Buffers.Binary;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Glide.Tensors;

namespace GlideFunctions.Storage;

/// <summary>
/// The tensors and images that stages hand each other, as blobs in the runs container (design §1): <c>.npy</c>
/// arrays checked for dtype and shape on every read, and PNG files. Every write overwrites, so a retried activity
/// replaces what an earlier attempt left. Names come from <see cref="RunBlobNames"/>.
/// </summary>
public sealed class BlobTensorStore
{
    /// <summary>In an expected shape: any length is accepted for that dimension.</summary>
    public const int AnyDimension = -1;

    public const string NpyContentType = "application/x-npy";

    public const string PngContentType = "image/png";

    public const string JsonContentType = "application/json";

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly BlobContainerClient _container;
    private readonly Lock _containerGate = new();
    private Task? _containerCreated;

    public BlobTensorStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <summary>The container this store reads and writes.</summary>
    public string ContainerName => _container.Name;

    /// <summary>Writes <paramref name="array"/> as a <c>.npy</c> blob, replacing any blob of that name.</summary>
    public async Task WriteAsync(string blobName, NpyArray array, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, ".npy");
        ArgumentNullException.ThrowIfNull(array);

        // NpyWriter is synchronous; serialize to memory and upload in one request (the arrays are at most a few MB).
        using var buffer = new MemoryStream();
        NpyWriter.Write(buffer, array);
        var content = BinaryData.FromBytes(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        await UploadAsync(blobName, content, NpyContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a <c>.npy</c> blob and checks it holds <paramref name="expectedDtype"/> in
    /// <paramref name="expectedShape"/> (<see cref="AnyDimension"/> matches any length; the rank must match).
    /// </summary>
    /// <exception cref="FileNotFoundException">The blob (or the container) does not exist.</exception>
    /// <exception cref="InvalidDataException">The blob holds another dtype or shape; the message names both.</exception>
    /// <exception cref="NpyFormatException">The blob is not a readable <c>.npy</c> file.</exception>
    public async Task<NpyArray> ReadAsync(
        string blobName, NpyDType expectedDtype, IReadOnlyList<int> expectedShape,
        CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, ".npy");
        RequireExpectedShape(expectedShape);

        BlobDownloadResult download;
        try
        {
            download = (await _container.GetBlobClient(blobName)
                .DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(blobName, e);
        }

        var bytes = download.Content.ToMemory();
        using var stream = download.Content.ToStream();
        var array = NpyReader.Read(stream, Describe(blobName));
        CheckStoredLength(blobName, bytes.Span, stream.Position, array);

        if (array.DType != expectedDtype || !ShapeMatches(array.Shape, expectedShape))
        {
            throw new InvalidDataException(
                $"{Describe(blobName)}: expected {DTypeName(expectedDtype)} {FormatShape(expectedShape)}, " +
                $"found {DTypeName(array.DType)} {FormatShape(array.Shape)}");
        }

        return array;
    }

    /// <summary>Writes encoded PNG bytes (e.g. from <c>Glide.Imaging.PngFile.Encode</c>), replacing any blob of that name.</summary>
    public async Task WritePngAsync(string blobName, ReadOnlyMemory<byte> png, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, ".png");
        if (!png.Span.StartsWith(PngSignature))
        {
            throw new ArgumentException(
                $"{png.Length} bytes for {Describe(blobName)} are not a PNG file (the PNG signature is missing)",
                nameof(png));
        }

        await UploadAsync(blobName, BinaryData.FromBytes(png), PngContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a blob for reading, e.g. an image to serve; the caller disposes the stream.</summary>
    /// <exception cref="FileNotFoundException">The blob (or the container) does not exist.</exception>
    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, extension: null);
        try
        {
            var download = await _container.GetBlobClient(blobName)
                .DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(blobName, e);
        }
    }

    /// <summary>Whether the blob exists (false too when the container does not exist yet).</summary>
    public async Task<bool> ExistsAsync(string blobName, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, extension: null);
        var exists = await _container.GetBlobClient(blobName).ExistsAsync(cancellationToken).ConfigureAwait(false);
        return exists.Value;
    }

    /// <summary>Writes a small JSON record (progress, a cancel request), replacing any blob of that name.</summary>
    public async Task WriteJsonAsync(string blobName, BinaryData json, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, ".json");
        ArgumentNullException.ThrowIfNull(json);
        await UploadAsync(blobName, json, JsonContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A JSON record's bytes, or <see langword="null"/> when it (or the container) does not exist.</summary>
    public async Task<BinaryData?> TryReadJsonAsync(string blobName, CancellationToken cancellationToken)
    {
        RequireBlobName(blobName, ".json");
        try
        {
            var download = await _container.GetBlobClient(blobName)
                .DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/>, in name order; none when there is no container.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var names = new List<string>();
        try
        {
            await foreach (var item in _container
                .GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                .ConfigureAwait(false))
            {
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }

        return names;
    }

    /// <summary>Deletes every blob under <c>runs/{runId}/</c> and nothing else; returns how many it deleted.</summary>
    public async Task<int> DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        var prefix = RunBlobNames.RunPrefix(runId);
        var names = new List<string>();
        try
        {
            await foreach (var item in _container
                .GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken)
                .ConfigureAwait(false))
            {
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet: nothing was ever written, so nothing of this run exists.
            return 0;
        }

        var deleted = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(names, parallel, async (name, token) =>
        {
            // Another deleter (a retried clean-up) may have been first: gone is gone.
            var response = await _container.GetBlobClient(name)
                .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: token)
                .ConfigureAwait(false);
            if (response.Value)
            {
                Interlocked.Increment(ref deleted);
            }
        }).ConfigureAwait(false);
        return deleted;
    }

    private async Task UploadAsync(
        string blobName, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);

        // No conditions: an upload replaces the blob, which is what makes a retried activity idempotent.
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } };
        await _container.GetBlobClient(blobName).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the container on the first write of this instance; a failed attempt is retried on the next.</summary>
    private Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        Task created;
        lock (_containerGate)
        {
            if (_containerCreated is null || _containerCreated.IsFaulted || _containerCreated.IsCanceled)
            {
                // Not the caller's token: one caller giving up must not fail the others waiting on the same task.
                _containerCreated = _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            }

            created = _containerCreated;
        }

        return created.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// NpyReader widens '&lt;f2' data to Float32 and ignores bytes after the data, so an array alone cannot show
    /// that a blob was stored as float16 or carries trailing bytes. Compare the stored data length with the one
    /// the array's dtype needs.
    /// </summary>
    private void CheckStoredLength(string blobName, ReadOnlySpan<byte> bytes, long dataEnd, NpyArray array)
    {
        if (dataEnd != bytes.Length)
        {
            throw new InvalidDataException(
                $"{Describe(blobName)}: {bytes.Length - dataEnd} bytes follow the data of {DTypeName(array.DType)} " +
                $"{FormatShape(array.Shape)}");
        }

        // NpyReader accepted the prefix, so it is the magic string, the version and a 2-byte (1.0) or 4-byte length.
        var dataStart = bytes[6] == 1
            ? 10L + BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..10])
            : 12L + BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]);
        var dataLength = dataEnd - dataStart;
        var expectedLength = (long)array.Length * ItemSize(array.DType);
        if (dataLength != expectedLength)
        {
            throw new InvalidDataException(
                $"{Describe(blobName)}: holds {dataLength} data bytes for {FormatShape(array.Shape)}, expected " +
                $"{expectedLength} for {DTypeName(array.DType)} (stored as another element type, such as float16?)");
        }
    }

    private string Describe(string blobName) => $"blob '{blobName}' in container '{_container.Name}'";

    private FileNotFoundException NotFound(string blobName, RequestFailedException e) =>
        new($"{Describe(blobName)} not found ({e.ErrorCode ?? "404"}): was the stage that writes it run for this run?",
            blobName, e);

    private static void RequireBlobName(string blobName, string? extension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        if (extension is not null && !blobName.EndsWith(extension, StringComparison.Ordinal))
        {
            throw new ArgumentException($"blob name '{blobName}' does not end with '{extension}'", nameof(blobName));
        }
    }

    private static void RequireExpectedShape(IReadOnlyList<int> expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        foreach (var dim in expectedShape)
        {
            if (dim < AnyDimension)
            {
                throw new ArgumentException(
                    $"expected shape {FormatShape(expectedShape)} has a negative dimension other than " +
                    $"{AnyDimension} (any)",
                    nameof(expectedShape));
            }
        }
    }

    private static bool ShapeMatches(IReadOnlyList<int> actual, IReadOnlyList<int> expected)
    {
        if (actual.Count != expected.Count)
        {
            return false;
        }

        for (var i = 0; i < actual.Count; i++)
        {
            if (expected[i] != AnyDimension && expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>numpy's way, <c>(2, 3)</c> or <c>(5,)</c>, with <c>*</c> for <see cref="AnyDimension"/>.</summary>
    private static string FormatShape(IReadOnlyList<int> shape)
    {
        var dims = shape.Select(d => d == AnyDimension ? "*" : d.ToString(CultureInfo.InvariantCulture)).ToList();
        return dims.Count == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
    }

    private static string DTypeName(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => "float32",
        NpyDType.Float64 => "float64",
        NpyDType.Int64 => "int64",
        NpyDType.Bool => "bool",
        _ => dtype.ToString(),
    };

    private static int ItemSize(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => sizeof(float),
        NpyDType.Float64 => sizeof(double),
        NpyDType.Int64 => sizeof(long),
        NpyDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };
}
