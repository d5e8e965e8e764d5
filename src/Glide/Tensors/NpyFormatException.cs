namespace Glide.Tensors;

/// <summary>A <c>.npy</c> or <c>.npz</c> file that cannot be read; the message names the file and what is wrong.</summary>
public sealed class NpyFormatException : FormatException
{
    public NpyFormatException(string fileName, string detail)
        : base($"{fileName}: {detail}")
    {
        FileName = fileName;
        Detail = detail;
    }

    public NpyFormatException(string fileName, string detail, Exception innerException)
        : base($"{fileName}: {detail}", innerException)
    {
        FileName = fileName;
        Detail = detail;
    }

    /// <summary>The file (or <c>archive.npz:key.npy</c> entry) that failed to read.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Detail { get; }
}
