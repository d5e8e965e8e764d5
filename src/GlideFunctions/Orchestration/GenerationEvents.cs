namespace GlideFunctions.Orchestration;

/// <summary>External events a generation's orchestration listens for.</summary>
public static class GenerationEvents
{
    /// <summary>Raised by the cancel endpoint (after it wrote the cancel request that running activities watch).</summary>
    public const string Cancel = "cancel";
}
