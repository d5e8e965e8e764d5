using System.Text;
using GlideFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GlideFunctions.Tests.Http;

public sealed class HealthFunctionTests
{
    [Fact]
    public void Answers_200_with_status_ok()
    {
        var result = new HealthFunction().Run(new DefaultHttpContext().Request);

        var ok = Assert.IsType<OkObjectResult>(result);
        Assert.Equal(StatusCodes.Status200OK, ok.StatusCode);
        Assert.Equal(HealthStatus.Ok, ok.Value);
    }

    [Fact]
    public async Task Writes_the_json_body_clients_see()
    {
        // Executed through ASP.NET Core's own result executor, as the Functions ASP.NET Core integration does.
        await using var services = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;

        var result = new HealthFunction().Run(context.Request);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal("""{"status":"ok"}""", Encoding.UTF8.GetString(body.ToArray()));
    }
}
