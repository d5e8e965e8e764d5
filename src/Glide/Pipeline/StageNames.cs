namespace Glide.Pipeline;

/// <summary>Stage names as reported in progress and errors (the Functions pipeline uses the same words).</summary>
public static class StageNames
{
    public const string Text = "text";
    public const string Base = "base";
    public const string Upsample = "upsample";
    public const string Rerank = "rerank";
}
