namespace GlideFunctions.Tests.Webhooks;

/// <summary>A request as <see cref="LoopbackHttpServer"/> received it; header names are case-insensitive.</summary>
internal sealed record RecordedRequest(
    string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>When the whole request had arrived, by the wall clock (the one the Durable test host uses).</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}
