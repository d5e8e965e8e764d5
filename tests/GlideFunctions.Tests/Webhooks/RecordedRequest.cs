namespace GlideFunctions.Tests.Webhooks;

/// <summary>A request as <see cref="LoopbackHttpServer"/> received it; header names are case-insensitive.</summary>
internal sealed record RecordedRequest(
    string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body);
