namespace GlideFunctions.Bulk;

/// <summary>What the command line asked for, checked.</summary>
internal sealed record BulkSettings
{
    public required string PromptsPath { get; init; }

    public required string ConnectionString { get; init; }

    public required string Queue { get; init; }

    /// <summary>Where the service records refused messages (and the runtime moves failing ones).</summary>
    public required string PoisonQueue { get; init; }

    public required Uri Api { get; init; }

    public string? Key { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Prefix of generated ids; null until derived from the file.</summary>
    public string? RunId { get; init; }

    public required TimeSpan Timeout { get; init; }

    /// <summary><c>--set name=value</c> pairs in command-line order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>The longest wait between two polls of the same generation.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(10);
}
