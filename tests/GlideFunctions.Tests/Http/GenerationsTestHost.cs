using System.Globalization;
using System.Text;
using System.Text.Json;
using Glide.Testing;
using GlideFunctions.Tests.Durable;
using GlideFunctions.Activities;
using GlideFunctions.Http;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GlideFunctions.Tests.Http;

/// <summary>
/// The app's own service registrations (<c>AddGlideStorage</c>, <c>AddGlideGeneration</c>) on the tiny fixture, the
/// runs container in Azurite, and the real orchestrator and activities in the in-process Durable host. HTTP requests
/// are plain <see cref="DefaultHttpContext"/>s whose results run through ASP.NET Core's own executors, so tests see
/// status, headers and JSON as clients do.
/// </summary>
internal sealed class GenerationsTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly DurableTaskTestHost _host;

    private GenerationsTestHost(ServiceProvider services, DurableTaskTestHost host)
    {
        _services = services;
        _host = host;
        Api = ActivatorUtilities.CreateInstance<GenerationsApi>(services);
    }

    /// <summary>The webhook signing secret of every host (receivers in tests verify with it).</summary>
    public static WebhookSecret Secret { get; } = WebhookSecret.Generate();

    public DurableTaskClient Client => _host.Client;

    public GenerationsApi Api { get; }

    public BlobTensorStore Store => _services.GetRequiredService<BlobTensorStore>();

    public IServiceProvider Services => _services;

    /// <summary>
    /// A host whose runs container is <paramref name="container"/>; <paramref name="settings"/> override app settings
    /// (<c>Glide:…</c>); <paramref name="replaceActivity"/> swaps one activity for a test function (to hold a run).
    /// </summary>
    public static async Task<GenerationsTestHost> StartAsync(
        Azure.Storage.Blobs.BlobContainerClient container,
        IReadOnlyDictionary<string, string?>? settings = null,
        (string Name, Func<TaskActivityContext, object?, Task<object?>> Run)? replaceActivity = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Glide:ModelDirectory"] = RepoRoot.Combine("tests", "fixtures", "tiny"),
                ["Glide:Device"] = "cpu",
                ["Glide:SignalInterval"] = "00:00:00.050",
                ["Glide:ActivityFirstRetryInterval"] = "00:00:00.100",
                ["Webhooks:Secret"] = Secret.Encode(),
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(new BlobTensorStore(container))
            .AddGlideStorage()
            .AddGlideGeneration()
            .AddGlideWebhooks(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var host = await DurableTestHostStarter.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<GenerationOrchestrator>();
                registry.AddOrchestrator<WebhookDeliveryOrchestrator>();
                registry.AddActivity<DeliverWebhookActivity>();
                foreach (var (name, activity) in new (string, Type)[]
                {
                    (ActivityNames.EncodeText, typeof(EncodeTextActivity)),
                    (ActivityNames.SampleBase, typeof(SampleBaseActivity)),
                    (ActivityNames.Upsample, typeof(UpsampleActivity)),
                    (ActivityNames.Rerank, typeof(RerankActivity)),
                    (ActivityNames.InpaintBase, typeof(InpaintBaseActivity)),
                    (ActivityNames.InpaintUpsample, typeof(InpaintUpsampleActivity)),
                })
                {
                    if (replaceActivity is { } replaced && replaced.Name == name)
                    {
                        registry.AddActivityFunc<object?, object?>(name, replaced.Run);
                    }
                    else
                    {
                        registry.AddActivity(activity);
                    }
                }
            },
            new DurableTaskTestHostOptions
            {
                // The worker's activities get the very singletons the API uses: one model set, one store.
                ConfigureServices = worker => worker
                    .AddSingleton(services.GetRequiredService<GlideModelProvider>())
                    .AddSingleton(services.GetRequiredService<BlobTensorStore>())
                    .AddSingleton(services.GetRequiredService<StageRunner>())
                    .AddTransient(_ => services.GetRequiredService<DeliverWebhookActivity>()),
                LoggerFactory = NullLoggerFactory.Instance,
            });
        return new(services, host);
    }

    public static HttpContext Request(string method, string path, string? body = null, string? idempotencyKey = null) =>
        Request(method, path, Encoding.UTF8.GetBytes(body ?? string.Empty), contentType: null, idempotencyKey);

    public static HttpContext Request(
        string method, string path, byte[] body, string? contentType, string? idempotencyKey = null)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider(),
        };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("glide.test");
        context.Request.Path = path;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentType = contentType;
        if (idempotencyKey is not null)
        {
            context.Request.Headers["Idempotency-Key"] = idempotencyKey;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>Runs <paramref name="result"/> as the Functions ASP.NET Core integration does.</summary>
    public static async Task<Response> ExecuteAsync(HttpContext context, IActionResult result)
    {
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        var bytes = ((MemoryStream)context.Response.Body).ToArray();
        return new(context.Response.StatusCode, context.Response.Headers, context.Response.ContentType, bytes);
    }

    public async Task<Response> CreateAsync(string body, string? key = null)
    {
        var context = Request("POST", "/api/v1/generations", body, key);
        return await ExecuteAsync(context, await Api.CreateAsync(context.Request, Client, CancellationToken.None));
    }

    /// <summary>A create request with a body of any <paramref name="contentType"/> (multipart forms).</summary>
    public async Task<Response> CreateAsync(byte[] body, string contentType, string? key = null)
    {
        var context = Request("POST", "/api/v1/generations", body, contentType, key);
        return await ExecuteAsync(context, await Api.CreateAsync(context.Request, Client, CancellationToken.None));
    }

    public async Task<Response> GetAsync(string id)
    {
        var context = Request("GET", $"/api/v1/generations/{id}");
        return await ExecuteAsync(context, await Api.GetAsync(context.Request, Client, id, CancellationToken.None));
    }

    public async Task<Response> CancelAsync(string id)
    {
        var context = Request("POST", $"/api/v1/generations/{id}/cancel");
        return await ExecuteAsync(context, await Api.CancelAsync(context.Request, Client, id, CancellationToken.None));
    }

    public async Task<Response> GetImageAsync(string id, string index)
    {
        var context = Request("GET", $"/api/v1/generations/{id}/images/{index}");
        return await ExecuteAsync(
            context, await Api.GetImageAsync(context.Request, Client, id, index, CancellationToken.None));
    }

    /// <summary>Polls the generation until <paramref name="predicate"/> holds; fails with the last body on timeout.</summary>
    public async Task<JsonElement> PollAsync(string id, Func<JsonElement, bool> predicate, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        var last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            var response = await GetAsync(id);
            Assert.Equal(StatusCodes.Status200OK, response.Status);
            last = response.Text;
            if (predicate(response.Json))
            {
                return response.Json;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"condition not reached within the limit: {last}");
        return default;
    }

    /// <summary>Polls until the status is <paramref name="status"/>; any other terminal status fails at once.</summary>
    public Task<JsonElement> PollStatusAsync(string id, string status) => PollAsync(id, json =>
    {
        var current = json.GetProperty("status").GetString();
        Assert.True(
            current == status || current is "starting" or "processing",
            $"expected {status}, got {json.GetRawText()}");
        return current == status;
    });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _services.DisposeAsync();
    }

    public sealed record Response(int Status, IHeaderDictionary Headers, string? ContentType, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);

        public JsonElement Json => JsonDocument.Parse(Bytes).RootElement;

        public string? Header(string name) =>
            Headers.TryGetValue(name, out var value) ? value.ToString() : null;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Status} {Text}");
    }
}
