namespace GlideFunctions.Http;

/// <summary>Body of <c>GET /api/v1/health</c>.</summary>
public sealed record HealthStatus(string Status)
{
    public static HealthStatus Ok { get; } = new("ok");
}
