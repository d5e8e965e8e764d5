namespace Glide.Evaluation;

/// <summary>
/// One held-out evaluation caption and the labels it was written from: a line of the captions JSONL file
/// (<c>python3 -m glide_shapes captions</c>).
/// </summary>
/// <param name="Id">Unique within the file, e.g. "eval-000"; names the saved images.</param>
/// <param name="Caption">The prompt.</param>
/// <param name="Background">The background the caption names, or null.</param>
/// <param name="Objects">One or two objects; with two, each names its own region.</param>
/// <param name="LineNumber">The 1-based line of the file it came from.</param>
public sealed record EvalCaption(
    string Id, string Caption, PaletteColour? Background, IReadOnlyList<CaptionObject> Objects, int LineNumber);
