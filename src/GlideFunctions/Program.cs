using GlideFunctions.Options;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP functions take HttpRequest and return IActionResult.
builder.ConfigureFunctionsWebApplication();

builder.Services
    .AddOptions<GlideOptions>()
    .BindConfiguration(GlideOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();

builder.Build().Run();
