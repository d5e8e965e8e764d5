namespace GlideFunctions.Tests.Webhooks;

/// <summary>A clock showing what the test sets; timers and elapsed time stay real, so attempt timeouts fire.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    public ManualTimeProvider(DateTimeOffset now) => Now = now;

    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
