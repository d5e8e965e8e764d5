namespace Glide.Evaluation;

/// <summary>A captions file that cannot be evaluated; the message names the file and, where there is one, the line.</summary>
public sealed class EvalCaptionsException : Exception
{
    /// <summary>"<paramref name="path"/> line <paramref name="line"/>: <paramref name="problem"/>".</summary>
    public EvalCaptionsException(string path, int line, string problem, Exception? innerException = null)
        : base($"{path} line {line}: {problem}", innerException)
    {
        Path = path;
        Line = line;
    }

    /// <summary>"<paramref name="path"/>: <paramref name="problem"/>", for the file as a whole.</summary>
    public EvalCaptionsException(string path, string problem, Exception? innerException = null)
        : base($"{path}: {problem}", innerException)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>The 1-based line at fault, or null when the problem is the whole file.</summary>
    public int? Line { get; }
}
