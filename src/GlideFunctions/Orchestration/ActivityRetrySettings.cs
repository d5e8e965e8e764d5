using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// The Durable retry policy of the generation's activities: <see cref="MaxAttempts"/> tries, the first retry after
/// <see cref="FirstRetryInterval"/>, each later one twice as long after the previous.
/// </summary>
public sealed record ActivityRetrySettings(int MaxAttempts, TimeSpan FirstRetryInterval)
{
    /// <summary>Three attempts, 5 s then 10 s apart: enough for a transient storage or worker failure.</summary>
    public static ActivityRetrySettings Default { get; } = new(3, TimeSpan.FromSeconds(5));

    public void Validate()
    {
        if (MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentException($"activity attempts must be 1 to 10, got {MaxAttempts}", nameof(MaxAttempts));
        }

        if (FirstRetryInterval <= TimeSpan.Zero || FirstRetryInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException(
                $"the first retry interval must be above zero and at most an hour, got {FirstRetryInterval}",
                nameof(FirstRetryInterval));
        }
    }

    public TaskOptions ToTaskOptions() =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(MaxAttempts, FirstRetryInterval, backoffCoefficient: 2));
}
