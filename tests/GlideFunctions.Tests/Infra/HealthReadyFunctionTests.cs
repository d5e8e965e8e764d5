using System.Text;
using System.Text.Json;
using Glide.Models;
using Glide.Testing;
using GlideFunctions.Activities;
using GlideFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// <c>GET /api/v1/health/ready</c>, the container's readiness probe: 503 until the worker's ONNX sessions exist, 200
/// after, 503 naming the cause when they cannot be created.
/// </summary>
public sealed class HealthReadyFunctionTests
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(2);

    private static string TinyModels => RepoRoot.Combine("tests", "fixtures", "tiny");

    [Fact]
    public async Task Answers_200_once_the_tiny_models_are_loaded_at_worker_start()
    {
        // The registrations Program.cs makes, with the model directory pointing at the tiny fixture.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Glide:ModelDirectory"] = TinyModels,
                ["Glide:Device"] = "cpu",
            })
            .Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddGlideGeneration()
            .AddGlideModelWarmup()
            .BuildServiceProvider();
        var warmup = Assert.Single(services.GetServices<IHostedService>().OfType<ModelWarmup>());
        var readiness = services.GetRequiredService<ModelReadiness>();
        var function = new HealthReadyFunction(readiness);

        Assert.Equal(ModelReadinessPhase.NotStarted, readiness.State.Phase);
        await warmup.StartAsync(CancellationToken.None);
        var settled = await readiness.Settled.WaitAsync(LoadTimeout);

        Assert.Equal(ModelReadinessPhase.Ready, settled.Phase);
        var (status, contentType, body, _) = await ExecuteAsync(function);
        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("ready", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("cpu", json.RootElement.GetProperty("device").GetString());
        Assert.Equal("cpu", json.RootElement.GetProperty("requested_device").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("device_fallback").ValueKind);
        Assert.True(json.RootElement.GetProperty("load_seconds").GetDouble() >= 0);

        // The sessions the warm-up created are the ones the activities get: nothing loads twice.
        Assert.NotNull(services.GetRequiredService<GlideModelProvider>().Models.BaseUNet);
    }

    [Fact]
    public async Task Answers_503_naming_the_directory_when_the_configured_model_directory_has_no_manifest()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"glide-no-models-{Guid.NewGuid():N}");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Glide:ModelDirectory"] = missing })
            .Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddGlideGeneration()
            .AddGlideModelWarmup()
            .BuildServiceProvider();

        // The worker still starts (the probe must be able to say why it is not ready).
        var warmup = Assert.Single(services.GetServices<IHostedService>().OfType<ModelWarmup>());
        await warmup.StartAsync(CancellationToken.None);
        var settled = await services.GetRequiredService<ModelReadiness>().Settled.WaitAsync(LoadTimeout);

        Assert.Equal(ModelReadinessPhase.Failed, settled.Phase);
        var (status, _, body, _) = await ExecuteAsync(new HealthReadyFunction(services.GetRequiredService<ModelReadiness>()));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Contains(missing, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_503_with_retry_after_while_the_sessions_are_being_created()
    {
        using var release = new ManualResetEventSlim();
        using var provider = new GlideModelProvider(() =>
        {
            release.Wait(LoadTimeout);
            return GlideModelSet.Load(TinyModels, ExecutionDevice.Cpu, new GlideModelSetOptions { Models = ["base"] });
        });
        var (readiness, warmup) = Start(provider);
        await warmup.StartAsync(CancellationToken.None);

        var (status, contentType, body, headers) = await ExecuteAsync(new HealthReadyFunction(readiness));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(HealthReadyFunction.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.RetryAfter.ToString());
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(HealthReadyFunction.ServiceUnavailableType, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("still being created", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        release.Set();
        Assert.Equal(ModelReadinessPhase.Ready, (await readiness.Settled.WaitAsync(LoadTimeout)).Phase);
        Assert.Equal(StatusCodes.Status200OK, (await ExecuteAsync(new HealthReadyFunction(readiness))).Status);
    }

    [Fact]
    public async Task Answers_503_naming_why_when_the_models_cannot_be_loaded()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"glide-no-models-{Guid.NewGuid():N}");
        using var provider = new GlideModelProvider(() => GlideModelSet.Load(missing, ExecutionDevice.Cpu));
        var (readiness, warmup) = Start(provider);

        await warmup.StartAsync(CancellationToken.None);
        var settled = await readiness.Settled.WaitAsync(LoadTimeout);
        await warmup.Load!.WaitAsync(LoadTimeout);

        Assert.Equal(ModelReadinessPhase.Failed, settled.Phase);
        var (status, contentType, body, headers) = await ExecuteAsync(new HealthReadyFunction(readiness));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(string.Empty, headers.RetryAfter.ToString()); // retrying will not help: the worker must be fixed
        using var problem = JsonDocument.Parse(body);
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("The models failed to load: ", detail, StringComparison.Ordinal);
        Assert.Contains(missing, detail, StringComparison.Ordinal);
        Assert.Equal("/api/v1/health/ready", problem.RootElement.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Answers_503_when_no_warm_up_is_registered()
    {
        var (status, _, body, headers) = await ExecuteAsync(new HealthReadyFunction(new ModelReadiness()));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.False(string.IsNullOrEmpty(headers.RetryAfter.ToString()));
        Assert.Contains("AddGlideModelWarmup", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_the_worker_does_not_wait_for_the_models()
    {
        using var release = new ManualResetEventSlim();
        using var provider = new GlideModelProvider(() =>
        {
            release.Wait(LoadTimeout);
            throw new InvalidOperationException("released");
        });
        var (readiness, warmup) = Start(provider);

        var start = warmup.StartAsync(CancellationToken.None);

        Assert.True(start.IsCompletedSuccessfully);
        Assert.Equal(ModelReadinessPhase.Loading, readiness.State.Phase);
        release.Set();
        Assert.Equal(ModelReadinessPhase.Failed, (await readiness.Settled.WaitAsync(LoadTimeout)).Phase);
    }

    private static (ModelReadiness Readiness, ModelWarmup Warmup) Start(GlideModelProvider provider)
    {
        var readiness = new ModelReadiness();
        return (readiness, new ModelWarmup(provider, readiness, TimeProvider.System, NullLogger<ModelWarmup>.Instance));
    }

    /// <summary>Runs the function and its result the way the Functions ASP.NET Core integration does.</summary>
    private static async Task<(int Status, string? ContentType, string Body, IHeaderDictionary Headers)> ExecuteAsync(
        HealthReadyFunction function)
    {
        await using var services = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/api/v1/health/ready";
        using var body = new MemoryStream();
        context.Response.Body = body;

        var result = function.Run(context.Request);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()),
            context.Response.Headers);
    }
}
