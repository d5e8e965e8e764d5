namespace GlideFunctions.Api;

/// <summary>Reads a request body without buffering more than the parser's limit.</summary>
public static class RequestBodyReader
{
    /// <summary>
    /// The body, or its first <paramref name="maxBytes"/> + 1 bytes when it is longer: enough for
    /// <see cref="GenerationRequestParser"/> to see that it is too large, without reading a client's gigabyte.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(
        Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
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
