using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Glide.Testing;
using GlideFunctions.Tests.Durable;
using GlideFunctions.Activities;
using GlideFunctions.Orchestration;
using GlideFunctions.Queue;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Azurite;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GlideFunctions.Tests.Queue;

/// <summary>
/// The queue side of the app as <c>Program.cs</c> wires it (<c>AddGlideStorage</c>, <c>AddGlideGeneration</c>,
/// <c>AddGlideQueue</c>), with a new request queue, poison queue and runs container in Azurite, and the real
/// orchestrator and activities on the tiny fixture in the in-process Durable host. Messages are received the way the
/// Functions trigger receives them: base64-decoded, deleted only when processing returns.
/// </summary>
internal sealed class QueueTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly DurableTaskTestHost _host;

    private QueueTestHost(ServiceProvider services, DurableTaskTestHost host, QueueClient requests, QueueClient poison)
    {
        _services = services;
        _host = host;
        Requests = requests;
        Poison = poison;
    }

    public DurableTaskClient Client => _host.Client;

    public GenerationQueueProcessor Processor => _services.GetRequiredService<GenerationQueueProcessor>();

    public BlobTensorStore Store => _services.GetRequiredService<BlobTensorStore>();

    /// <summary>The request queue, base64-encoding as the trigger expects.</summary>
    public QueueClient Requests { get; }

    /// <summary>The poison queue, base64-decoding as the processor writes.</summary>
    public QueueClient Poison { get; }

    /// <param name="azurite">Where the queues and the runs container are created.</param>
    /// <param name="modelDirectory">The model directory (default: the tiny fixture, every model kind).</param>
    public static async Task<QueueTestHost> StartAsync(AzuriteFixture azurite, string? modelDirectory = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var requestsName = $"requests-{suffix}";
        var poisonName = $"requests-{suffix}-poison";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [QueueOptions.ConnectionName] = azurite.ConnectionString,
                ["Glide:ModelDirectory"] = modelDirectory ?? RepoRoot.Combine("tests", "fixtures", "tiny"),
                ["Glide:Device"] = "cpu",
                ["Glide:SignalInterval"] = "00:00:00.050",
                ["Glide:ActivityFirstRetryInterval"] = "00:00:00.100",
                ["Queue:RequestsQueue"] = requestsName,
                ["Queue:PoisonQueue"] = poisonName,
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(new BlobTensorStore(azurite.NewContainer()))
            .AddGlideStorage()
            .AddGlideGeneration()
            .AddGlideQueue()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var host = await DurableTestHostStarter.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<GenerationOrchestrator>();
                registry.AddActivity<EncodeTextActivity>();
                registry.AddActivity<SampleBaseActivity>();
                registry.AddActivity<UpsampleActivity>();
                registry.AddActivity<RerankActivity>();
                registry.AddActivity<InpaintBaseActivity>();
                registry.AddActivity<InpaintUpsampleActivity>();
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = worker => worker
                    .AddSingleton(services.GetRequiredService<GlideModelProvider>())
                    .AddSingleton(services.GetRequiredService<BlobTensorStore>())
                    .AddSingleton(services.GetRequiredService<StageRunner>()),
                LoggerFactory = NullLoggerFactory.Instance,
            });

        var requests = new QueueClient(azurite.ConnectionString, requestsName, QueueClients.Options);
        await requests.CreateAsync();
        var poison = new QueueClient(azurite.ConnectionString, poisonName, QueueClients.Options);
        return new(services, host, requests, poison);
    }

    /// <summary>Sends <paramref name="body"/> (UTF-8) to the request queue.</summary>
    public Task SendAsync(string body) => SendAsync(Encoding.UTF8.GetBytes(body));

    public async Task SendAsync(byte[] body) => await Requests.SendMessageAsync(BinaryData.FromBytes(body));

    /// <summary>The next message, as the trigger would be handed it; invisible for <paramref name="visibility"/>.</summary>
    public async Task<QueueMessage> ReceiveAsync(TimeSpan? visibility = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var message = (await Requests.ReceiveMessageAsync(visibility ?? TimeSpan.FromMinutes(1))).Value;
            if (message is not null)
            {
                return message;
            }

            Assert.True(DateTime.UtcNow < deadline, "no message arrived on the request queue within 30 s");
            await Task.Delay(100);
        }
    }

    /// <summary>Receives, processes and (when processing returns) deletes the next message, as the runtime does.</summary>
    public async Task<(QueueMessage Message, QueueMessageOutcome Outcome)> ProcessNextAsync(CancellationToken cancellationToken)
    {
        var message = await ReceiveAsync();
        var outcome = await Processor.ProcessAsync(Client, message, cancellationToken);
        await Requests.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        return (message, outcome);
    }

    /// <summary>
    /// Plays the queue trigger until <paramref name="cancellationToken"/> fires: every message is processed and then
    /// deleted; returns the outcomes.
    /// </summary>
    public async Task<List<QueueMessageOutcome>> PumpAsync(CancellationToken cancellationToken)
    {
        var outcomes = new List<QueueMessageOutcome>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var messages = (await Requests.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(1), cancellationToken)).Value;
                foreach (var message in messages)
                {
                    outcomes.Add(await Processor.ProcessAsync(Client, message, cancellationToken));
                    await Requests.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                }

                if (messages.Length == 0)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the test.
        }

        return outcomes;
    }

    /// <summary>Every record in the poison queue (removing them).</summary>
    public async Task<List<QueueRejection>> ReadPoisonAsync()
    {
        var records = new List<QueueRejection>();
        if (!await Poison.ExistsAsync())
        {
            return records;
        }

        foreach (var message in (await Poison.ReceiveMessagesAsync(32)).Value)
        {
            records.Add(JsonSerializer.Deserialize<QueueRejection>(message.Body.ToString())!);
        }

        return records;
    }

    /// <summary>The handler that plays the generations API for <c>glide-bulk</c>.</summary>
    public GenerationsApiHandler ApiHandler(string? key = null) => new(Client, Store, key);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _services.DisposeAsync();
    }
}
