using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class BetaScheduleTests
{
    [Theory]
    [InlineData("squaredcos_cap_v2")]
    [InlineData("linear")]
    public void Betas_match_the_reference_vectors(string schedule)
    {
        var betas = BetaSchedule.Create(schedule);

        ScheduleVectors.AssertRelativelyClose(ScheduleVectors.Betas1000(schedule), betas, 1e-12, schedule);
    }

    [Fact]
    public void Only_the_last_cosine_beta_is_capped()
    {
        // glide-spec §7.1: β_0 = 4.1284e-05; the two before the capped 0.999 are 0.5556 and 0.7500.
        var betas = BetaSchedule.Create(BetaSchedule.SquaredCosCapV2);

        Assert.Equal(1000, betas.Length);
        Assert.Equal(4.1284e-05, betas[0], 1e-9);
        Assert.Equal(0.5556, betas[997], 1e-4);
        Assert.Equal(0.7500, betas[998], 1e-4);
        Assert.Equal(0.999, betas[999]);
        Assert.Equal(1, betas.Count(b => b == 0.999));
    }

    [Fact]
    public void Linear_betas_run_from_1e4_to_exactly_0_02()
    {
        var betas = BetaSchedule.Create(BetaSchedule.Linear);

        Assert.Equal(1e-4, betas[0]);
        Assert.Equal(0.02, betas[^1]);
        Assert.True(betas.Zip(betas.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void An_unknown_schedule_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => BetaSchedule.Create("cosine"));

        Assert.Contains("unknown beta schedule 'cosine'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_step_count_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BetaSchedule.Create(BetaSchedule.Linear, 0));
    }
}
