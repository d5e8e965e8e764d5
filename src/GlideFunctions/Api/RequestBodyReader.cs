namespace GlideFunctions.Api;

/// <summary>Reads a request body without buffering more than the parser's limit.</summary>
public static class RequestBodyReader
{
    // Most bodies are a few hundred bytes of JSON; the buffer grows (doubling) only for those that carry images.
    private const int InitialBytes = 16 * 1024;

    /// <summary>
    /// The body, or its first <paramref name="maxBytes"/> + 1 bytes when it is longer: enough for
    /// <see cref="GenerationRequestParser"/> to see that it is too large, without reading a client's gigabyte.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(
        Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfEqual(maxBytes, int.MaxValue);
        var limit = maxBytes + 1;
        var buffer = new byte[Math.Min(limit, InitialBytes)];
        var length = 0;
        while (length < limit)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(limit, 2L * buffer.Length));
            }

            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return buffer.AsMemory(0, length);
    }
}
