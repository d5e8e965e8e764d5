using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Queue;

/// <summary>
/// The bulk request queue (design §4) and where rejected messages go; bound from the <c>Queue</c> section (app
/// settings <c>Queue__RequestsQueue</c>, <c>Queue__PoisonQueue</c>).
/// </summary>
/// <remarks>
/// The trigger reads its queue name from the same setting through the binding expression
/// <see cref="RequestsQueueExpression"/>, which the Functions host resolves before the worker starts: the app setting
/// <c>Queue__RequestsQueue</c> must therefore be present (the default below only names what it should hold).
/// </remarks>
public sealed class QueueOptions
{
    public const string SectionName = "Queue";

    /// <summary>
    /// The storage connection of both queues, named as Functions bindings name theirs (the app setting with the
    /// connection string, or the prefix of <c>{name}__queueServiceUri</c> identity settings).
    /// </summary>
    public const string ConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// The trigger's queue name: the app setting <c>Queue__RequestsQueue</c>. The host resolves <c>%…%</c> through
    /// its configuration, where that setting's key is <c>Queue:RequestsQueue</c> (a <c>__</c> inside the
    /// <c>%…%</c> would not resolve).
    /// </summary>
    public const string RequestsQueueExpression = "%" + SectionName + ":" + nameof(RequestsQueue) + "%";

    public const string DefaultRequestsQueue = "glide-requests";

    public const string DefaultPoisonQueue = DefaultRequestsQueue + "-poison";

    private const string QueueNamePattern = "^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$";

    private const string QueueNameMessage =
        "must be a valid storage queue name: 3 to 63 lowercase letters, digits and single hyphens, starting and " +
        "ending with a letter or digit.";

    /// <summary>The queue of create bodies, one generation per message.</summary>
    [Required]
    [StringLength(63, MinimumLength = 3)]
    [RegularExpression(QueueNamePattern, ErrorMessage = "The field RequestsQueue " + QueueNameMessage)]
    public string RequestsQueue { get; set; } = DefaultRequestsQueue;

    /// <summary>
    /// Where a message that no retry can fix (malformed, invalid, or reusing an id with another body) is recorded,
    /// with the reason, before it is removed from <see cref="RequestsQueue"/>.
    /// </summary>
    /// <remarks>
    /// The default is the queue the Functions runtime itself moves a message to after <c>maxDequeueCount</c> failed
    /// attempts (<c>{queue}-poison</c>), so that every message that did not become a generation ends up in one
    /// place. The two kinds differ in shape: a record written here is a JSON object with a <c>reason</c>; the
    /// runtime moves the original body unchanged. Both are base64-encoded, as the runtime writes them.
    /// </remarks>
    [Required]
    [StringLength(63, MinimumLength = 3)]
    [RegularExpression(QueueNamePattern, ErrorMessage = "The field PoisonQueue " + QueueNameMessage)]
    public string PoisonQueue { get; set; } = DefaultPoisonQueue;
}
