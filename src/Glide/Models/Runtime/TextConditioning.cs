namespace Glide.Models;

/// <summary>
/// The output of a <c>*.text</c> graph for a batch of prompts: <c>xf_proj</c> [B, D] and <c>xf_out</c> [B, W, T]
/// (FORMAT.md), which every UNet step of those prompts takes again. Immutable: a <see cref="UNetGraph"/> relies
/// on it to skip re-copying the same conditioning on every step.
/// </summary>
public sealed class TextConditioning
{
    private readonly float[] _xfProj;
    private readonly float[] _xfOut;

    // Takes ownership of the arrays: only this assembly creates instances without copying.
    internal TextConditioning(
        float[] xfProj, float[] xfOut, int batch, int projectionWidth, int width, int contextLength)
    {
        RuntimeArguments.RequireBatch(batch, nameof(batch));
        ArgumentOutOfRangeException.ThrowIfLessThan(projectionWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        RuntimeArguments.RequireLength(nameof(xfProj), xfProj.Length, batch, projectionWidth);
        RuntimeArguments.RequireLength(nameof(xfOut), xfOut.Length, batch, width, contextLength);
        _xfProj = xfProj;
        _xfOut = xfOut;
        Batch = batch;
        ProjectionWidth = projectionWidth;
        Width = width;
        ContextLength = contextLength;
    }

    /// <summary>Rows (prompts) B.</summary>
    public int Batch { get; }

    /// <summary>D: the width of <c>xf_proj</c> (4 × <c>model_channels</c>).</summary>
    public int ProjectionWidth { get; }

    /// <summary>W: <c>xf_width</c>.</summary>
    public int Width { get; }

    /// <summary>T: <c>text_ctx</c> (128).</summary>
    public int ContextLength { get; }

    /// <summary>[B, D], C order.</summary>
    public ReadOnlySpan<float> XfProj => _xfProj;

    /// <summary>[B, W, T], C order.</summary>
    public ReadOnlySpan<float> XfOut => _xfOut;

    private int XfOutRowLength => Width * ContextLength;

    /// <summary>Copies arrays read from elsewhere (e.g. stored <c>.npy</c> files) into a new instance.</summary>
    /// <param name="xfProj">[B, D].</param>
    /// <param name="xfOut">[B, W, T].</param>
    /// <param name="batch">B.</param>
    /// <param name="projectionWidth">D.</param>
    /// <param name="width">W.</param>
    /// <param name="contextLength">T.</param>
    public static TextConditioning Create(
        ReadOnlySpan<float> xfProj, ReadOnlySpan<float> xfOut, int batch, int projectionWidth, int width,
        int contextLength)
    {
        RuntimeArguments.RequireBatch(batch, nameof(batch));
        ArgumentOutOfRangeException.ThrowIfLessThan(projectionWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        RuntimeArguments.RequireLength(nameof(xfProj), xfProj.Length, batch, projectionWidth);
        RuntimeArguments.RequireLength(nameof(xfOut), xfOut.Length, batch, width, contextLength);
        return new TextConditioning(xfProj.ToArray(), xfOut.ToArray(), batch, projectionWidth, width, contextLength);
    }

    /// <summary>Row <paramref name="row"/> of <c>xf_proj</c>: [D].</summary>
    public ReadOnlySpan<float> XfProjRow(int row)
    {
        CheckRow(row, nameof(row));
        return _xfProj.AsSpan(row * ProjectionWidth, ProjectionWidth);
    }

    /// <summary>Row <paramref name="row"/> of <c>xf_out</c>: [W, T].</summary>
    public ReadOnlySpan<float> XfOutRow(int row)
    {
        CheckRow(row, nameof(row));
        return _xfOut.AsSpan(row * XfOutRowLength, XfOutRowLength);
    }

    /// <summary>A new batch whose row i is this batch's row <c>rows[i]</c>; rows may repeat.</summary>
    public TextConditioning SelectRows(ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
        {
            throw new ArgumentException("expected at least one row", nameof(rows));
        }

        var xfProj = new float[rows.Length * ProjectionWidth];
        var xfOut = new float[rows.Length * XfOutRowLength];
        for (var i = 0; i < rows.Length; i++)
        {
            XfProjRow(rows[i]).CopyTo(xfProj.AsSpan(i * ProjectionWidth));
            XfOutRow(rows[i]).CopyTo(xfOut.AsSpan(i * XfOutRowLength));
        }

        return new TextConditioning(xfProj, xfOut, rows.Length, ProjectionWidth, Width, ContextLength);
    }

    /// <summary>Row <paramref name="row"/> <paramref name="count"/> times, e.g. one prompt for N images.</summary>
    public TextConditioning Repeat(int row, int count)
    {
        CheckRow(row, nameof(row));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Span<int> rows = count <= 256 ? stackalloc int[count] : new int[count];
        rows.Fill(row);
        return SelectRows(rows);
    }

    /// <summary>
    /// The classifier-free guidance batch for <paramref name="count"/> images: <paramref name="conditionalRow"/>
    /// <paramref name="count"/> times, then <paramref name="unconditionalRow"/> <paramref name="count"/> times, the
    /// row order of the text2im CFG batch (glide-spec §8.1: B prompt rows, then B unconditional rows).
    /// </summary>
    public TextConditioning ForGuidance(int count, int conditionalRow = 0, int unconditionalRow = 1)
    {
        CheckRow(conditionalRow, nameof(conditionalRow));
        CheckRow(unconditionalRow, nameof(unconditionalRow));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rows = new int[2 * count];
        rows.AsSpan(0, count).Fill(conditionalRow);
        rows.AsSpan(count).Fill(unconditionalRow);
        return SelectRows(rows);
    }

    /// <summary>The rows of <paramref name="first"/> followed by those of <paramref name="second"/>.</summary>
    public static TextConditioning Concat(TextConditioning first, TextConditioning second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.ProjectionWidth != second.ProjectionWidth || first.Width != second.Width
            || first.ContextLength != second.ContextLength)
        {
            throw new ArgumentException(
                $"expected rows of the same shape: first has D={first.ProjectionWidth}, W={first.Width}, " +
                $"T={first.ContextLength}; second has D={second.ProjectionWidth}, W={second.Width}, " +
                $"T={second.ContextLength}",
                nameof(second));
        }

        return new TextConditioning(
            [.. first._xfProj, .. second._xfProj], [.. first._xfOut, .. second._xfOut],
            first.Batch + second.Batch, first.ProjectionWidth, first.Width, first.ContextLength);
    }

    private void CheckRow(int row, string paramName)
    {
        if ((uint)row >= (uint)Batch)
        {
            throw new ArgumentOutOfRangeException(paramName, row, $"expected a row in [0, {Batch})");
        }
    }
}
