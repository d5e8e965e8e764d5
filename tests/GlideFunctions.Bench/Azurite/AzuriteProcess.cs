using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GlideFunctions.Tests.Azurite;

namespace GlideFunctions.Bench.Azurite;

/// <summary>
/// One Azurite for the bench: in memory, on free ports of 127.0.0.1, with the flags shared/local-runtime.md gives
/// (<c>--skipApiVersionCheck</c> for the current storage SDKs, <c>--disableTelemetry</c>); killed on dispose.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's development account, public and the same in every install (Azurite's README).</summary>
    private const string AccountName = "devstoreaccount1";

    private const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string Host = "127.0.0.1";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private readonly DirectoryInfo _workspace;
    private Process? _process;

    private AzuriteProcess(string executable, int[] ports, DirectoryInfo workspace)
    {
        Executable = executable;
        Ports = ports;
        _workspace = workspace;
    }

    public string Executable { get; }

    /// <summary>Blob, queue and table ports.</summary>
    public IReadOnlyList<int> Ports { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={Endpoint(Ports[0])};QueueEndpoint={Endpoint(Ports[1])};TableEndpoint={Endpoint(Ports[2])};";

    /// <summary>Starts Azurite (<paramref name="path"/>, or where the storage tests find it) and waits until it answers.</summary>
    public static async Task<AzuriteProcess> StartAsync(string? path, CancellationToken cancellationToken)
    {
        var executable = path is null
            ? AzuriteLocator.Find()
            : AzuriteLocator.Find(path, () => Glide.Testing.RepoRoot.Path, Environment.GetEnvironmentVariable("PATH"));
        var workspace = Directory.CreateTempSubdirectory("glide-bench-azurite-");
        for (var attempt = 1; ; attempt++)
        {
            var azurite = new AzuriteProcess(executable, FreePorts(3), workspace);
            var failure = await azurite.StartAndWaitAsync(cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                // Not left running if the bench dies without disposing it.
                AppDomain.CurrentDomain.ProcessExit += azurite.KillOnExit;
                return azurite;
            }

            var output = azurite.Output();
            azurite.Stop();

            // Another process can take a port between our probe and Azurite's bind; new ports then fix it.
            if (attempt < 3 && output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                continue;
            }

            DeleteWorkspace(workspace);
            throw new InvalidOperationException(
                $"Azurite ({executable}) did not start: {failure}{Environment.NewLine}" +
                (output.Length == 0 ? "(no output)" : output));
        }
    }

    public ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Stop();
        DeleteWorkspace(_workspace);
        return ValueTask.CompletedTask;
    }

    private static string Endpoint(int port) => $"http://{Host}:{port}/{AccountName}";

    private async Task<string?> StartAndWaitAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Azurite refuses --location with --inMemoryPersistence; a scratch folder keeps anything it writes.
            WorkingDirectory = _workspace.FullName,
        };
        foreach (var argument in new[]
        {
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--inMemoryPersistence",
            "--blobHost", Host, "--blobPort", Port(0), "--queueHost", Host, "--queuePort", Port(1),
            "--tableHost", Host, "--tablePort", Port(2),
        })
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
            return $"could not run it ({e.Message}); Azurite needs node on PATH ({AzuriteLocator.InstallCommand})";
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // No proxy: an HTTP_PROXY from the environment must not stand between the bench and 127.0.0.1.
        using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        var pending = new Queue<int>(Ports);
        while (pending.Count > 0)
        {
            if (process.HasExited)
            {
                return $"it exited with code {process.ExitCode} before answering";
            }

            if (clock.Elapsed > ReadyTimeout)
            {
                return $"no answer on port {pending.Peek()} within {ReadyTimeout.TotalSeconds:0} s";
            }

            try
            {
                // Any HTTP answer (Azurite says 400 to an unsigned request) means the service listens.
                using var response = await http.GetAsync(new Uri($"http://{Host}:{pending.Peek()}/"), cancellationToken)
                    .ConfigureAwait(false);
                pending.Dequeue();
            }
            catch (Exception e) when (
                e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    private string Port(int index) => Ports[index].ToString(CultureInfo.InvariantCulture);

    /// <summary>Ports the OS hands out for port 0, all held at once so the three differ.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        if (_process is { HasExited: true })
        {
            _process.WaitForExit();
        }

        lock (_output)
        {
            return _output.ToString().TrimEnd();
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

    private static void DeleteWorkspace(DirectoryInfo workspace)
    {
        try
        {
            workspace.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left in /tmp is not worth failing the bench for.
        }
    }
}
