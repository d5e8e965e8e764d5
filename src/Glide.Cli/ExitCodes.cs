namespace Glide.Cli;

/// <summary>Process exit codes, the same for every command so scripts can tell a failed check from a bad call.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and found a problem (e.g. a graph outside tolerance).</summary>
    public const int Failed = 1;

    /// <summary>The command could not run: bad arguments, a missing directory, an invalid manifest.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (Ctrl+C): the conventional 128 + SIGINT.</summary>
    public const int Canceled = 130;
}
