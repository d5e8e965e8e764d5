using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace GlideFunctions.Http;

/// <summary><c>GET /api/v1/health</c>: the worker is up and serving HTTP. Anonymous, so probes need no key.</summary>
public sealed class HealthFunction
{
    [Function("Health")]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/health")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new OkObjectResult(HealthStatus.Ok);
    }
}
