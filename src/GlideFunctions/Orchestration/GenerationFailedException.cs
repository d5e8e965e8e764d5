namespace GlideFunctions.Orchestration;

/// <summary>Ends a generation's orchestration as failed, naming the stage that failed and why.</summary>
public sealed class GenerationFailedException : Exception
{
    public GenerationFailedException()
    {
    }

    public GenerationFailedException(string message)
        : base(message)
    {
    }

    public GenerationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GenerationFailedException(string stage, string reason)
        : base($"the {stage} stage failed: {reason}")
    {
        Stage = stage;
        Reason = reason;
    }

    public string? Stage { get; }

    public string? Reason { get; }
}
