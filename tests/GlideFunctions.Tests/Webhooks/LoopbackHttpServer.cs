using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>
/// A minimal HTTP/1.1 receiver on 127.0.0.1 and a port the OS picks: records each request (and each connection, so a
/// test can prove nothing even connected) and answers what the test says, or never answers when it says
/// <see langword="null"/>. One request per connection, which is all the sender makes. An asynchronous answer can hold
/// a request until the test lets it go; it gets a token that is cancelled when the server stops.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, CancellationToken, Task<LoopbackResponse?>> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _acceptLoop;
    private int _connections;

    public LoopbackHttpServer(Func<RecordedRequest, LoopbackResponse?> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public LoopbackHttpServer(Func<RecordedRequest, CancellationToken, Task<LoopbackResponse?>> respond)
    {
        _respond = respond;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public LoopbackHttpServer(LoopbackResponse response)
        : this(_ => response)
    {
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hooks/glide?token=abc");

    public int Connections => Volatile.Read(ref _connections);

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_handlers);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _handlers.Add(HandleAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                                       or InvalidOperationException)
        {
            // Stopped by DisposeAsync (which of these depends on where the accept was when the listener stopped).
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                if (await _respond(request, _stop.Token) is { } response)
                {
                    await stream.WriteAsync(response.ToBytes(), _stop.Token);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client gave up, or the server is stopping.
            }
        }
    }

    private static async Task<RecordedRequest?> ReadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = received.ToArray().AsSpan().IndexOf(HeaderEnd)) < 0)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            received.AddRange(chunk.AsSpan(0, read));
        }

        var lines = Encoding.ASCII.GetString(received.ToArray(), 0, headerEnd).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        var length = headers.TryGetValue("Content-Length", out var declared)
            ? int.Parse(declared, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        var body = received.Skip(headerEnd + HeaderEnd.Length).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            body.AddRange(chunk.AsSpan(0, read));
        }

        return new RecordedRequest(requestLine[0], requestLine[1], headers, [.. body])
        {
            ReceivedAt = DateTimeOffset.UtcNow,
        };
    }
}
