using GlideFunctions.Activities;
using GlideFunctions.Http;
using GlideFunctions.Queue;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP functions take HttpRequest and return IActionResult.
builder.ConfigureFunctionsWebApplication();

// Every options class is validated at start-up: a bad setting stops the worker with its name, before any request.
builder.Services
    .AddGlideStorage()
    .AddGlideGeneration()
    .AddGlideWebhooks(builder.Configuration)
    .AddGlideQueue()
    .AddGlideModelWarmup();   // loads the ONNX sessions at start; GET /api/v1/health/ready says when they are up

builder.Build().Run();
