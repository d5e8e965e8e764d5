using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;

namespace GlideFunctions.Tests.Azurite;

/// <summary>
/// One Azurite process for every test in <see cref="AzuriteCollection"/>: in memory, on free ports of 127.0.0.1,
/// started with the flags shared/local-runtime.md gives, killed on dispose. Tests isolate themselves by using
/// their own container (<see cref="NewContainer"/>), not by starting more emulators.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's development account, public and the same in every install (Azurite's README).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string Host = "127.0.0.1";

    // Another process can take a port between our probe and Azurite's bind; new ports then fix it.
    private const int StartAttempts = 3;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private DirectoryInfo? _workspace;
    private int[] _ports = [];

    public int BlobPort => Ports[0];

    public int QueuePort => Ports[1];

    public int TablePort => Ports[2];

    /// <summary>How long the last start took, from launching the process to all three endpoints answering.</summary>
    public TimeSpan StartupTime { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={Endpoint(BlobPort)};QueueEndpoint={Endpoint(QueuePort)};TableEndpoint={Endpoint(TablePort)};";

    private int[] Ports => _ports.Length == 3
        ? _ports
        : throw new InvalidOperationException("Azurite is not running: the fixture was not initialized");

    public BlobServiceClient CreateBlobServiceClient() => new(ConnectionString);

    /// <summary>A container of a new random name, not yet created: one per test keeps tests apart.</summary>
    public BlobContainerClient NewContainer() =>
        CreateBlobServiceClient().GetBlobContainerClient(NewContainerName());

    public static string NewContainerName() => $"test-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var executable = AzuriteLocator.Find();
        _workspace = Directory.CreateTempSubdirectory("azurite-");
        // No proxy: an HTTP_PROXY from the environment must not stand between the test and 127.0.0.1.
        using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts(3);
            var arguments = Arguments(ports);
            var stopwatch = Stopwatch.StartNew();
            Start(executable, arguments);
            var failure = await WaitUntilReadyAsync(http, ports).ConfigureAwait(false);
            if (failure is null)
            {
                StartupTime = stopwatch.Elapsed;
                _ports = ports;
                AppDomain.CurrentDomain.ProcessExit += KillOnExit;
                return;
            }

            var output = CapturedOutput();
            Stop();
            if (attempt < StartAttempts && output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                continue;
            }

            // xunit does not dispose a fixture whose initialization failed.
            DeleteWorkspace();
            throw new InvalidOperationException(
                $"Azurite did not start: {failure}.{Environment.NewLine}" +
                $"Command: {executable} {string.Join(' ', arguments)}{Environment.NewLine}" +
                $"Output (stdout and stderr):{Environment.NewLine}{(output.Length == 0 ? "(none)" : output)}");
        }
    }

    public Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Stop();
        DeleteWorkspace();
        return Task.CompletedTask;
    }

    private static string Endpoint(int port) => $"http://{Host}:{port}/{AccountName}";

    private static string[] Arguments(int[] ports) =>
    [
        "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--inMemoryPersistence",
        "--blobHost", Host, "--blobPort", ports[0].ToString(CultureInfo.InvariantCulture),
        "--queueHost", Host, "--queuePort", ports[1].ToString(CultureInfo.InvariantCulture),
        "--tableHost", Host, "--tablePort", ports[2].ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Ports the OS hands out for port 0, all held at once so the three differ.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }

    private void Start(string executable, string[] arguments)
    {
        lock (_output)
        {
            _output.Clear();
        }

        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Azurite refuses --location with --inMemoryPersistence; a scratch working directory keeps anything it
            // might still write out of the repository.
            WorkingDirectory = _workspace!.FullName,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"could not run {executable} {string.Join(' ', arguments)}: {e.Message}. Azurite needs node on PATH; " +
                $"reinstall it with `{AzuriteLocator.InstallCommand}` or set {AzuriteLocator.EnvironmentVariable}.",
                e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Null once blob, queue and table answer HTTP; otherwise why not.</summary>
    private async Task<string?> WaitUntilReadyAsync(HttpClient http, int[] ports)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new Queue<int>(ports);
        while (pending.Count > 0)
        {
            if (_process!.HasExited)
            {
                return $"the process exited with code {_process.ExitCode} before answering";
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                return $"no answer on {Endpoint(pending.Peek())} within {ReadyTimeout.TotalSeconds:0} s";
            }

            try
            {
                // Any HTTP answer (Azurite says 400 or 403 to an unsigned request) means the service listens.
                using var response = await http.GetAsync(new Uri($"http://{Host}:{pending.Peek()}/")).ConfigureAwait(false);
                pending.Dequeue();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        return null;
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string CapturedOutput()
    {
        // Let the reader threads drain what a process that just exited wrote last.
        if (_process is { HasExited: true })
        {
            _process.WaitForExit();
        }

        lock (_output)
        {
            return _output.ToString().TrimEnd();
        }
    }

    private void DeleteWorkspace()
    {
        try
        {
            _workspace?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is not worth failing the test run for.
        }
    }

    private void KillOnExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        finally
        {
            process.Dispose();
        }
    }
}
