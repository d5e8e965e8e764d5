namespace GlideFunctions.Bulk;

/// <summary>Process exit codes, as the <c>glide</c> command uses them.</summary>
internal static class ExitCodes
{
    /// <summary>Every generation succeeded.</summary>
    public const int Success = 0;

    /// <summary>The batch ran and some generation failed, was canceled, was refused or did not finish in time.</summary>
    public const int Failed = 1;

    /// <summary>Nothing was done: bad arguments, a bad prompts file, or a queue or API that cannot be used.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (Ctrl+C): the conventional 128 + SIGINT.</summary>
    public const int Canceled = 130;
}
