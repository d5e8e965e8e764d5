using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Options;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Bench;

/// <summary>What one pipeline generation took, seen from the client and from inside the activities.</summary>
/// <param name="RunId">The generation id (instance id and blob prefix).</param>
/// <param name="Start">When the client started the launch (<see cref="BenchClock"/> seconds).</param>
/// <param name="End">When the client saw the orchestration complete.</param>
/// <param name="StageSeconds">The orchestration's custom status <c>StageSeconds</c>: compute per stage, summed over its activities.</param>
/// <param name="Activities">Each activity's span, from the timing wrappers.</param>
/// <param name="Images">The outcome's output images.</param>
internal sealed record PipelineRun(
    string RunId,
    double Start,
    double End,
    IReadOnlyDictionary<string, double> StageSeconds,
    IReadOnlyList<ActivityTiming> Activities,
    IReadOnlyList<GenerationImage> Images)
{
    public double Wall => End - Start;
}

/// <summary>
/// The Functions app's own registrations (<c>AddGlideStorage</c> on an Azurite connection, <c>AddGlideGeneration</c>)
/// and the real <see cref="GenerationOrchestrator"/> and activities in the Durable Task in-process host, as
/// tests/GlideFunctions.Tests/Http/GenerationsTestHost.cs combines them. Each activity is registered through a thin
/// wrapper that calls the app's activity singleton and records its span in <see cref="Recorder"/>.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private const string SidecarLogLevel = "Logging__LogLevel__Default";

    /// <summary>The app's functionTimeout (host.json): no generation of the bench should come near it.</summary>
    private static readonly TimeSpan GenerationTimeout = TimeSpan.FromHours(1);

    private readonly ServiceProvider _services;
    private readonly DurableTaskTestHost _host;

    private PipelineHost(ServiceProvider services, DurableTaskTestHost host, ActivityRecorder recorder)
    {
        _services = services;
        _host = host;
        Recorder = recorder;
    }

    public DurableTaskClient Client => _host.Client;

    public ActivityRecorder Recorder { get; }

    public GlideModelProvider Models => _services.GetRequiredService<GlideModelProvider>();

    public BlobTensorStore Store => _services.GetRequiredService<BlobTensorStore>();

    public RunSignals Signals => _services.GetRequiredService<RunSignals>();

    public GenerationLauncher Launcher => _services.GetRequiredService<GenerationLauncher>();

    public GlideOptions Options => _services.GetRequiredService<IOptions<GlideOptions>>().Value;

    public StorageOptions Storage => _services.GetRequiredService<IOptions<StorageOptions>>().Value;

    public static async Task<PipelineHost> StartAsync(
        string connectionString, string container, BenchSettings settings, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The app's settings, as local.settings.json / app settings give them; everything else is default.
                ["AzureWebJobsStorage"] = connectionString,
                ["Storage:RunsContainer"] = container,
                ["Glide:ModelDirectory"] = settings.ModelDirectory,
                ["Glide:Device"] = "cpu",
                ["Glide:ChunkSize"] = settings.ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddGlideStorage()
            .AddGlideGeneration()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var recorder = new ActivityRecorder();
        try
        {
            // The Functions host validates options at start-up (ValidateOnStart); a bare provider does it on first use.
            _ = services.GetRequiredService<IOptions<GlideOptions>>().Value;
            _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;

            // The test host's gRPC sidecar is a default ASP.NET Core host (configured from the environment) that logs
            // every request to the console at Information: keep the bench's output to its own lines.
            if (Environment.GetEnvironmentVariable(SidecarLogLevel) is null)
            {
                Environment.SetEnvironmentVariable(SidecarLogLevel, "Warning");
            }

            var text = services.GetRequiredService<EncodeTextActivity>();
            var sampleBase = services.GetRequiredService<SampleBaseActivity>();
            var upsample = services.GetRequiredService<UpsampleActivity>();
            var host = await DurableTaskTestHost.StartAsync(
                registry =>
                {
                    registry.AddOrchestrator<GenerationOrchestrator>();
                    registry.AddActivityFunc<EncodeTextInput, EncodeTextOutput>(
                        ActivityNames.EncodeText,
                        (context, input) => recorder.TimeAsync(
                            input.RunId, StageNames.Text, 0, () => text.RunAsync(context, input), o => o.Seconds));
                    registry.AddActivityFunc<SampleBaseInput, SampleBaseOutput>(
                        ActivityNames.SampleBase,
                        (context, input) => recorder.TimeAsync(
                            input.RunId, StageNames.Base, input.Chunk, () => sampleBase.RunAsync(context, input),
                            o => o.Seconds));
                    registry.AddActivityFunc<UpsampleInput, UpsampleOutput>(
                        ActivityNames.Upsample,
                        (context, input) => recorder.TimeAsync(
                            input.RunId, StageNames.Upsample, input.Index, () => upsample.RunAsync(context, input),
                            o => o.Seconds));
                },
                new DurableTaskTestHostOptions { LoggerFactory = NullLoggerFactory.Instance },
                cancellationToken).ConfigureAwait(false);
            return new PipelineHost(services, host, recorder);
        }
        catch
        {
            recorder.Dispose();
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// One generation as the API starts it: <see cref="GenerationLauncher.Plan"/> + <see cref="GenerationLauncher.LaunchAsync"/>
    /// under a fresh id, then waits for the orchestration to complete. <paramref name="serial"/> runs its activities one
    /// at a time instead of as many as the host runs at once.
    /// </summary>
    public async Task<PipelineRun> RunAsync(
        string runId, GenerationInput input, bool serial, CancellationToken cancellationToken)
    {
        var plan = Launcher.Plan(runId, input, apiBaseUrl: null);
        if (serial)
        {
            Recorder.MakeSerial(runId);
        }

        var start = BenchClock.Now;
        var launch = await Launcher.LaunchAsync(Client, plan, cancellationToken).ConfigureAwait(false);
        if (launch.Result != GenerationLaunchResult.Started)
        {
            throw new InvalidOperationException($"generation {runId} was not started: {launch.Result}");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(GenerationTimeout);
        OrchestrationMetadata instance;
        try
        {
            instance = await Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, limit.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"generation {runId} did not complete within {GenerationTimeout.TotalMinutes:0} minutes");
        }

        var end = BenchClock.Now;
        var status = instance.ReadCustomStatusAs<GenerationCustomStatus>();
        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed || status?.Status != GenerationStatus.Succeeded)
        {
            throw new InvalidOperationException(
                $"generation {runId} ended {instance.RuntimeStatus} / {status?.Status}: " +
                $"{status?.Error?.ToString() ?? instance.FailureDetails?.ErrorMessage ?? "(no error recorded)"}");
        }

        var outcome = instance.ReadOutputAs<GenerationOutcome>()
            ?? throw new InvalidOperationException($"generation {runId} completed without an outcome");
        return new PipelineRun(runId, start, end, status.StageSeconds, Recorder.Take(runId), outcome.Images);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
        Recorder.Dispose();
    }
}
