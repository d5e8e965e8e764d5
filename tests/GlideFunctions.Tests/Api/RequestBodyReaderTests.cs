using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class RequestBodyReaderTests
{
    [Fact]
    public async Task Reads_a_body_within_the_limit_whole()
    {
        using var stream = new TrickleStream(new byte[100]);

        var body = await RequestBodyReader.ReadAsync(stream, 100, CancellationToken.None);

        Assert.Equal(100, body.Length);
    }

    [Fact]
    public async Task Stops_one_byte_past_the_limit()
    {
        using var stream = new TrickleStream(new byte[10_000]);

        var body = await RequestBodyReader.ReadAsync(stream, 100, CancellationToken.None);

        Assert.Equal(101, body.Length);
        Assert.Equal(101, stream.Position);
    }

    [Fact]
    public async Task Reads_a_body_larger_than_its_first_buffer()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        using var stream = new MemoryStream(data);

        var body = await RequestBodyReader.ReadAsync(stream, 1_000_000, CancellationToken.None);

        Assert.Equal(data, body.ToArray());
    }

    // Hands out at most 7 bytes a read, as a network stream may.
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);
    }
}
