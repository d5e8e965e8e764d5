namespace GlideFunctions.Bulk;

/// <summary>The command cannot run as given (arguments, prompts file, queue or API); the message says why.</summary>
internal sealed class BulkInputException : Exception
{
    public BulkInputException(string message)
        : base(message)
    {
    }

    public BulkInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BulkInputException()
    {
    }
}
