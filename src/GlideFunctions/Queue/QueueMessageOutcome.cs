namespace GlideFunctions.Queue;

/// <summary>What <see cref="GenerationQueueProcessor"/> did with one message.</summary>
public enum QueueMessageResult
{
    /// <summary>A generation was scheduled.</summary>
    Started,

    /// <summary>The message had been handled before (a re-delivery or a re-send): its generation already exists.</summary>
    Existing,

    /// <summary>The body is not a valid create body; recorded in the poison queue.</summary>
    Invalid,

    /// <summary>The body's <c>id</c> names a generation started for another input; recorded in the poison queue.</summary>
    Conflict,
}

/// <summary>
/// The <paramref name="Result"/> for one message, its <paramref name="GenerationId"/> when the body got far enough to
/// have one, and the <paramref name="Rejection"/> written to the poison queue, if any.
/// </summary>
public sealed record QueueMessageOutcome(QueueMessageResult Result, string? GenerationId, QueueRejection? Rejection);
