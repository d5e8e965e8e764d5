using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GlideFunctions.Tests.Api;

/// <summary>Runs an <see cref="IActionResult"/> through ASP.NET Core's executors, as the Functions host does.</summary>
internal static class ProblemResults
{
    public static async Task<(int Status, string? ContentType, JsonElement Body)> ExecuteAsync(IActionResult result)
    {
        await using var services = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;

        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(body.ToArray()));
        return (context.Response.StatusCode, context.Response.ContentType, document.RootElement.Clone());
    }
}
