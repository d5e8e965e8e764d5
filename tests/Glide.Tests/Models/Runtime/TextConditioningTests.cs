using Glide.Models;

namespace Glide.Tests.Models.Runtime;

public sealed class TextConditioningTests
{
    // Three rows with D = 2, W = 2, T = 3: row r holds 10r, 10r + 1, …, so row order is visible.
    private static TextConditioning ThreeRows() => TextConditioning.Create(
        [.. Enumerable.Range(0, 3).SelectMany(r => new[] { 10f * r, (10f * r) + 1 })],
        [.. Enumerable.Range(0, 3).SelectMany(r => Enumerable.Range(0, 6).Select(i => (10f * r) + i))],
        batch: 3, projectionWidth: 2, width: 2, contextLength: 3);

    private static int[] RowsOf(TextConditioning text) =>
        [.. Enumerable.Range(0, text.Batch).Select(r => (int)text.XfProjRow(r)[0] / 10)];

    [Fact]
    public void Rows_are_slices_of_the_flat_arrays()
    {
        var text = ThreeRows();

        Assert.Equal([10f, 11f], text.XfProjRow(1).ToArray());
        Assert.Equal([20f, 21f, 22f, 23f, 24f, 25f], text.XfOutRow(2).ToArray());
        Assert.Equal(6, text.XfProj.Length);
        Assert.Equal(18, text.XfOut.Length);
    }

    [Fact]
    public void SelectRows_picks_and_repeats_rows_in_order()
    {
        var selected = ThreeRows().SelectRows([2, 0, 2]);

        Assert.Equal(3, selected.Batch);
        Assert.Equal([2, 0, 2], RowsOf(selected));
        Assert.Equal(ThreeRows().XfOutRow(0).ToArray(), selected.XfOutRow(1).ToArray());
    }

    [Fact]
    public void ForGuidance_puts_the_prompt_rows_first_then_the_unconditional_rows()
    {
        var text = ThreeRows().SelectRows([0, 1]);

        var batch = text.ForGuidance(3);

        Assert.Equal([0, 0, 0, 1, 1, 1], RowsOf(batch));
        Assert.Equal((2, 2, 3), (batch.ProjectionWidth, batch.Width, batch.ContextLength));
    }

    [Fact]
    public void Repeat_copies_one_row()
    {
        Assert.Equal([1, 1, 1, 1], RowsOf(ThreeRows().Repeat(1, 4)));
    }

    [Fact]
    public void Concat_appends_the_second_batch()
    {
        var text = ThreeRows();

        var joined = TextConditioning.Concat(text.SelectRows([2]), text.SelectRows([0, 1]));

        Assert.Equal([2, 0, 1], RowsOf(joined));
        Assert.Equal(text.XfOutRow(1).ToArray(), joined.XfOutRow(2).ToArray());
    }

    [Fact]
    public void Concat_refuses_rows_of_another_shape()
    {
        var other = TextConditioning.Create(new float[2], new float[4], 1, 2, 1, 4);

        var error = Assert.Throws<ArgumentException>(() => TextConditioning.Concat(ThreeRows(), other));

        Assert.Contains("first has D=2, W=2, T=3; second has D=2, W=1, T=4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_copies_its_input()
    {
        var xfProj = new float[] { 1, 2 };
        var text = TextConditioning.Create(xfProj, new float[6], 1, 2, 2, 3);

        xfProj[0] = 99;

        Assert.Equal(1f, text.XfProj[0]);
    }

    [Fact]
    public void Create_gives_expected_and_actual_lengths()
    {
        var error = Assert.Throws<ArgumentException>(
            () => TextConditioning.Create(new float[4], new float[11], 2, 2, 2, 3));

        Assert.Equal("xfOut", error.ParamName);
        Assert.StartsWith(
            "expected 12 values ([2, 2, 3] for batch 2), got 11", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_outside_the_batch_is_refused()
    {
        var text = ThreeRows();

        Assert.Throws<ArgumentOutOfRangeException>("row", () => text.XfProjRow(3));
        Assert.Throws<ArgumentOutOfRangeException>("row", () => text.Repeat(-1, 2));
        Assert.Throws<ArgumentOutOfRangeException>("unconditionalRow", () => text.ForGuidance(1, 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>("row", () => text.SelectRows([0, 5]));
        Assert.Throws<ArgumentException>("rows", () => text.SelectRows([]));
    }
}
