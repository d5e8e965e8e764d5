using System.Text.Json.Serialization;

namespace GlideFunctions.Http;

/// <summary>Body of <c>GET /api/v1/health/ready</c> once the models are loaded.</summary>
/// <param name="Status">Always <c>ready</c>.</param>
/// <param name="Device">Where the sessions run: <c>cpu</c> or <c>cuda</c>.</param>
/// <param name="RequestedDevice">What <c>Glide__Device</c> asked for.</param>
/// <param name="DeviceFallback">Why <paramref name="Device"/> differs from <paramref name="RequestedDevice"/>, or null.</param>
/// <param name="LoadSeconds">How long creating the sessions took.</param>
public sealed record ReadinessStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("requested_device")] string RequestedDevice,
    [property: JsonPropertyName("device_fallback")] string? DeviceFallback,
    [property: JsonPropertyName("load_seconds")] double LoadSeconds);
