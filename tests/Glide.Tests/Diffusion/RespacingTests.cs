using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class RespacingTests
{
    public static TheoryData<string, string> VectorCases() => ScheduleVectors.Cases();

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Every_respaced_set_matches_the_reference_vectors_exactly(string schedule, string respacing)
    {
        var entry = ScheduleVectors.Entry(schedule, respacing);
        int[] expected = respacing.StartsWith("none", StringComparison.Ordinal)
            ? [.. Enumerable.Range(0, entry.GetProperty("timesteps_count").GetInt32())]
            : ScheduleVectors.Ints(entry.GetProperty("timesteps"));
        var spec = respacing.StartsWith("none", StringComparison.Ordinal) ? "1000" : respacing;

        Assert.Equal(expected, Respacing.Parse(spec));
    }

    [Fact]
    public void Accumulated_float64_stride_and_half_to_even_rounding_decide_the_set()
    {
        // glide-spec §7.2: for "27", 13 additions of 999/26 give 499.4999…, which rounds to 499.
        Assert.Equal(499, Respacing.Parse("27")[13]);
        // "21": 10·49.95 = 499.5 would round (half to even) to 500; ten float64 additions give 499.4999… → 499.
        var set21 = Respacing.Parse("21");
        Assert.Contains(499, set21);
        Assert.DoesNotContain(500, set21);
    }

    [Fact]
    public void Fast27_ends_at_997_and_ddim_never_includes_999()
    {
        int[] fast27 =
        [
            0, 22, 44, 66, 88, 111, 133, 155, 177, 199, 200, 222, 244, 266, 288, 311, 333, 355, 377, 399, 400, 500, 599,
            600, 799, 800, 997,
        ];
        Assert.Equal(fast27, Respacing.Parse("fast27"));
        Assert.Equal(Enumerable.Range(0, 25).Select(k => 40 * k), Respacing.Parse("ddim25"));
        Assert.Equal(Enumerable.Range(0, 50).Select(k => 20 * k), Respacing.Parse("ddim50"));
        // ddim7 is attainable: stride 143 gives ⌈1000/143⌉ = 7 steps.
        Assert.Equal(Enumerable.Range(0, 7).Select(k => 143 * k), Respacing.Parse("ddim7"));
    }

    [Fact]
    public void Single_counts_and_surrounding_blanks()
    {
        Assert.Equal([0], Respacing.Parse("1"));
        Assert.Equal(Enumerable.Range(0, 1000), Respacing.Parse("1000"));
        Assert.Equal(Respacing.Parse("100"), Respacing.Parse(" 100 "));
        Assert.Equal(Respacing.Parse("10,10,3,2,2"), Respacing.Parse("10, 10, 3, 2, 2"));
        // Stride 4.5: round(4.5) is 4 (half to even), not 5.
        Assert.Equal([0, 4, 9], Respacing.Parse("3", numTimesteps: 10));
    }

    [Theory]
    [InlineData("fast28", "only 'fast' respacing is 'fast27'")]
    [InlineData("ddim37", "cannot take exactly 37 of 1000 steps")]
    [InlineData("ddim999", "cannot take exactly 999 of 1000 steps")]
    [InlineData("ddim1001", "cannot take exactly 1001")]
    [InlineData("ddim", "'' is not a positive integer")]
    [InlineData("ddim0", "step count must be at least 1")]
    [InlineData("abc", "'abc' is not a positive integer")]
    [InlineData("0", "step count must be at least 1")]
    [InlineData("", "malformed respacing")]
    [InlineData("   ", "malformed respacing")]
    [InlineData("10,,5", "'' is not a positive integer")]
    [InlineData("-5", "'-5' is not a positive integer")]
    [InlineData("2.5", "'2.5' is not a positive integer")]
    [InlineData("+5", "'+5' is not a positive integer")]
    [InlineData("1001", "cannot take 1001 steps from a section of 1000")]
    [InlineData("99999999999", "step count 99999999999 is too large")]
    public void Bad_strings_are_named_with_the_reason(string spec, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Respacing.Parse(spec));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{spec}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("spec", error.ParamName);
    }

    [Fact]
    public void Too_many_sections_for_the_process_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Respacing.Parse("fast27", numTimesteps: 4));

        Assert.Contains("5 sections do not fit in 4 steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_and_a_non_positive_process_length_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => Respacing.Parse(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => Respacing.Parse("10", numTimesteps: 0));
    }
}
