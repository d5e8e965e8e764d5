using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Glide.Testing;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// infra/docker/fetch-models.sh, the init container that copies a model directory from the models blob container:
/// run with bash and curl against a loopback stand-in for the Container Apps identity endpoint and the Blob service.
/// </summary>
public sealed class FetchModelsScriptTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Copies_every_blob_under_the_prefix_signed_in_with_the_managed_identity()
    {
        var blobs = new Dictionary<string, byte[]>
        {
            ["glide-filtered/manifest.json"] = """{"format":1}"""u8.ToArray(),
            ["glide-filtered/base.unet.onnx"] = RandomBytes(70_000),
            ["glide-filtered/verify/base.unet.npz"] = RandomBytes(1_000),
            ["other/manifest.json"] = "{}"u8.ToArray(),
        };
        await using var storage = new FakeStorage(blobs, pageSize: 2);
        using var target = new TempDirectory();

        var run = await RunAsync(storage, "glide-filtered", target.Path);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(blobs["glide-filtered/manifest.json"], File.ReadAllBytes(Path.Combine(target.Path, "manifest.json")));
        Assert.Equal(blobs["glide-filtered/base.unet.onnx"], File.ReadAllBytes(Path.Combine(target.Path, "base.unet.onnx")));
        Assert.Equal(blobs["glide-filtered/verify/base.unet.npz"],
            File.ReadAllBytes(Path.Combine(target.Path, "verify", "base.unet.npz")));
        Assert.Equal(3, Directory.EnumerateFiles(target.Path, "*", SearchOption.AllDirectories).Count());
        Assert.Contains("fetch-models: 3 files", run.Output, StringComparison.Ordinal);

        var token = Assert.Single(storage.Requests, r => r.Path == "/msi/token");
        Assert.Equal(FakeStorage.IdentityHeader, token.Headers["X-IDENTITY-HEADER"]);
        Assert.Contains("resource=https%3A%2F%2Fstorage.azure.com%2F", token.Query, StringComparison.Ordinal);
        Assert.Contains($"client_id={FakeStorage.ClientId}", token.Query, StringComparison.Ordinal);
        var storageRequests = storage.Requests.Where(r => r.Path != "/msi/token").ToList();
        Assert.Equal(2, storageRequests.Count(r => r.Query.Contains("comp=list", StringComparison.Ordinal))); // NextMarker followed
        Assert.All(storageRequests, r => Assert.Equal($"Bearer {FakeStorage.Token}", r.Headers["Authorization"]));
        Assert.All(storageRequests, r => Assert.False(string.IsNullOrEmpty(r.Headers["x-ms-version"])));
    }

    [Fact]
    public async Task Fails_naming_the_cause_when_nothing_was_uploaded_under_the_prefix()
    {
        await using var storage = new FakeStorage(new Dictionary<string, byte[]> { ["other/manifest.json"] = [1] }, pageSize: 10);
        using var target = new TempDirectory();

        var run = await RunAsync(storage, "glide-filtered", target.Path);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no blobs under", run.Output, StringComparison.Ordinal);
        Assert.Contains("upload the converted model directory first", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_when_the_directory_has_no_manifest()
    {
        await using var storage = new FakeStorage(
            new Dictionary<string, byte[]> { ["m/base.unet.onnx"] = [1, 2, 3] }, pageSize: 10);
        using var target = new TempDirectory();

        var run = await RunAsync(storage, "m", target.Path);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("holds no manifest.json", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_without_the_identity_endpoint()
    {
        using var target = new TempDirectory();
        var start = Start("http://127.0.0.1:9/models", "m", target.Path, identityEndpoint: null);

        var run = await WaitAsync(start);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("IDENTITY_ENDPOINT is not set", run.Output, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(FakeStorage storage, string prefix, string target) =>
        WaitAsync(Start($"{storage.BaseUrl}/models", prefix, target, $"{storage.BaseUrl}/msi/token"));

    private static ProcessStartInfo Start(string containerUrl, string prefix, string target, string? identityEndpoint)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoRoot.Combine("infra", "docker", "fetch-models.sh"));
        start.Environment["MODELS_CONTAINER_URL"] = containerUrl;
        start.Environment["MODELS_PREFIX"] = prefix;
        start.Environment["MODELS_TARGET"] = target;
        start.Environment["AZURE_CLIENT_ID"] = FakeStorage.ClientId;
        start.Environment.Remove("IDENTITY_ENDPOINT");
        start.Environment.Remove("IDENTITY_HEADER");
        if (identityEndpoint is not null)
        {
            start.Environment["IDENTITY_ENDPOINT"] = identityEndpoint;
            start.Environment["IDENTITY_HEADER"] = FakeStorage.IdentityHeader;
        }

        return start;
    }

    private static async Task<(int ExitCode, string Output)> WaitAsync(ProcessStartInfo start)
    {
        if (!File.Exists("/usr/bin/curl") && !File.Exists("/bin/curl"))
        {
            throw new InvalidOperationException("curl is missing: fetch-models.sh needs it (apt-get install curl)");
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    private sealed record SeenRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers);

    /// <summary>The identity endpoint and a Blob service serving one container, <c>models</c>, from memory.</summary>
    private sealed class FakeStorage : IAsyncDisposable
    {
        public const string Token = "test-token";

        public const string IdentityHeader = "identity-header-value";

        public const string ClientId = "00000000-0000-0000-0000-0000000000c1";

        private readonly HttpListener _listener = new();
        private readonly IReadOnlyDictionary<string, byte[]> _blobs;
        private readonly int _pageSize;
        private readonly ConcurrentQueue<SeenRequest> _requests = new();
        private readonly Task _loop;

        public FakeStorage(IReadOnlyDictionary<string, byte[]> blobs, int pageSize)
        {
            _blobs = blobs;
            _pageSize = pageSize;
            var port = FreePort();
            BaseUrl = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add($"{BaseUrl}/");
            _listener.Start();
            _loop = ServeAsync();
        }

        public string BaseUrl { get; }

        public IReadOnlyList<SeenRequest> Requests => [.. _requests];

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
            _listener.Close();
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using (context.Response)
                {
                    var request = context.Request;
                    var headers = request.Headers.AllKeys.ToDictionary(k => k!, k => request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                    _requests.Enqueue(new SeenRequest(request.Url!.AbsolutePath, request.Url.Query, headers));
                    var (status, body) = Answer(request);
                    context.Response.StatusCode = status;
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                }
            }
        }

        private (int Status, byte[] Body) Answer(HttpListenerRequest request)
        {
            var path = request.Url!.AbsolutePath;
            if (path == "/msi/token")
            {
                return request.Headers["X-IDENTITY-HEADER"] == IdentityHeader
                    ? (200, Encoding.UTF8.GetBytes($$"""{"access_token":"{{Token}}","expires_on":"1","resource":"https://storage.azure.com/"}"""))
                    : (401, []);
            }

            if (request.Headers["Authorization"] != $"Bearer {Token}")
            {
                return (403, []);
            }

            if (path == "/models" && request.QueryString["comp"] == "list")
            {
                var names = _blobs.Keys.Where(n => n.StartsWith(request.QueryString["prefix"] ?? "", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal).ToList();
                var skip = int.TryParse(request.QueryString["marker"]?.Split('!')[0], out var from) ? from : 0;
                var page = names.Skip(skip).Take(_pageSize).ToList();
                var next = skip + _pageSize < names.Count ? $"{skip + _pageSize}!opaque=" : string.Empty;
                var xml = new StringBuilder("""<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="models"><Blobs>""");
                foreach (var name in page)
                {
                    xml.Append("<Blob><Name>").Append(name).Append("</Name><Properties /></Blob>");
                }

                xml.Append("</Blobs><NextMarker>").Append(next).Append("</NextMarker></EnumerationResults>");
                return (200, Encoding.UTF8.GetBytes(xml.ToString()));
            }

            return path.StartsWith("/models/", StringComparison.Ordinal) && _blobs.TryGetValue(path["/models/".Length..], out var blob)
                ? (200, blob)
                : (404, []);
        }
    }

    private sealed class TempDirectory : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("glide-fetch-models-");

        public string Path => System.IO.Path.Combine(_directory.FullName, "models");

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
