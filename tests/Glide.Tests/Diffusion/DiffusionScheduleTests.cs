using Glide.Diffusion;
using Glide.Tensors;
using Glide.Testing;

namespace Glide.Tests.Diffusion;

public sealed class DiffusionScheduleTests
{
    public static TheoryData<string, string> VectorCases() => ScheduleVectors.Cases();

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Every_table_matches_the_reference_vectors(string schedule, string respacing)
    {
        var entry = ScheduleVectors.Entry(schedule, respacing);
        // "none(1000)" is the reference's process without respacing, which keeps all 1000 steps as "1000" does.
        var spec = respacing.StartsWith("none", StringComparison.Ordinal) ? "1000" : respacing;

        var diffusion = DiffusionSchedule.Create(schedule, spec);

        var tables = 0;
        foreach (var property in entry.EnumerateObject())
        {
            switch (property.Name)
            {
                case "timesteps":
                    Assert.Equal(ScheduleVectors.Ints(property.Value), diffusion.TimestepMap.ToArray());
                    break;
                case "timesteps_count":
                    Assert.Equal(property.Value.GetInt32(), diffusion.Steps);
                    Assert.Equal(Enumerable.Range(0, diffusion.Steps), diffusion.TimestepMap.ToArray());
                    break;
                default:
                    ScheduleVectors.AssertRelativelyClose(
                        ScheduleVectors.Doubles(property.Value),
                        Table(diffusion, property.Name),
                        1e-12,
                        $"{schedule} {respacing} {property.Name}");
                    tables++;
                    break;
            }
        }

        Assert.True(tables >= 2, $"{schedule} {respacing}: only {tables} tables compared");
    }

    [Theory]
    [InlineData("squaredcos_cap_v2", "100")]
    [InlineData("squaredcos_cap_v2", "fast27")]
    [InlineData("linear", "fast27")]
    [InlineData("linear", "ddim50")]
    public void The_final_step_coefficients_are_exact(string schedule, string respacing)
    {
        // glide-spec §7.4 step 3: at spaced index 0, coef1' = 1 and coef2' = 0, so the sample is the clamped x0.
        var diffusion = DiffusionSchedule.Create(schedule, respacing);

        Assert.Equal(1.0, diffusion.PosteriorMeanCoef1[0]);
        Assert.Equal(0.0, diffusion.PosteriorMeanCoef2[0]);
        Assert.Equal(1.0, diffusion.AlphasCumprodPrev[0]);
        Assert.Equal(diffusion.PosteriorLogVarianceClipped[1], diffusion.PosteriorLogVarianceClipped[0]);
    }

    [Fact]
    public void Coefficients_are_the_float32_casts_of_the_tables()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");

        for (var i = 0; i < diffusion.Steps; i++)
        {
            var c = diffusion.Coefficients(i);
            Assert.Equal((float)diffusion.LogBetas[i], c.LogBeta);
            Assert.Equal((float)diffusion.PosteriorLogVarianceClipped[i], c.PosteriorLogVarianceClipped);
            Assert.Equal((float)diffusion.PosteriorMeanCoef1[i], c.PosteriorMeanCoef1);
            Assert.Equal((float)diffusion.PosteriorMeanCoef2[i], c.PosteriorMeanCoef2);
            Assert.Equal((float)diffusion.SqrtRecipAlphasCumprod[i], c.SqrtRecipAlphasCumprod);
            Assert.Equal((float)diffusion.SqrtRecipm1AlphasCumprod[i], c.SqrtRecipm1AlphasCumprod);
            Assert.Equal((float)diffusion.AlphasCumprod[i], c.AlphasCumprod);
            Assert.Equal((float)diffusion.AlphasCumprodPrev[i], c.AlphasCumprodPrev);
        }
    }

    [Fact]
    public void The_spaced_process_keeps_the_original_alpha_bar()
    {
        // glide-spec §7.2: ᾱ'_j = ᾱ_{map[j]} up to rounding.
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");

        Assert.Equal(27, diffusion.Steps);
        Assert.Equal(1000, diffusion.OriginalSteps);
        Assert.Equal(499, diffusion.TimestepMap[13]);
        Assert.Equal(HandTables.CosineAlphaBar(499), diffusion.AlphasCumprod[13], 1e-12);
    }

    [Theory]
    [InlineData("base-25.npz", "squaredcos_cap_v2", "25")]
    [InlineData("base-100.npz", "squaredcos_cap_v2", "100")]
    [InlineData("upsample-fast27.npz", "linear", "fast27")]
    public void The_timestep_maps_of_the_trajectory_fixtures_agree(string file, string schedule, string respacing)
    {
        var npz = NpzReader.Read(RepoRoot.Combine("tests", "fixtures", "trajectories", file));

        var diffusion = DiffusionSchedule.Create(schedule, respacing);

        Assert.Equal(npz["timesteps"].AsInt64().Select(t => (int)t), diffusion.TimestepMap.ToArray());
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_reason()
    {
        var unknown = Assert.Throws<ArgumentException>(() => DiffusionSchedule.Create("quadratic", "100"));
        Assert.Contains("unknown beta schedule 'quadratic'", unknown.Message, StringComparison.Ordinal);

        var zero = Assert.Throws<ArgumentException>(() => DiffusionSchedule.Create(BetaSchedule.Linear, "0"));
        Assert.Contains("step count must be at least 1", zero.Message, StringComparison.Ordinal);

        // The linear schedule scales with 1000/T: over 10 steps its betas exceed 1.
        var betas = Assert.Throws<ArgumentException>(() => DiffusionSchedule.Create(BetaSchedule.Linear, "10", 10));
        Assert.Contains("betas must lie in (0, 1]", betas.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spaced_index_outside_the_schedule_is_refused()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "10");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.Coefficients(10));

        Assert.Contains("spaced index 10 out of range [0, 9]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.Coefficients(-1));
    }

    private static ReadOnlySpan<double> Table(DiffusionSchedule d, string name) => name switch
    {
        "betas" => d.Betas,
        "log_betas" => d.LogBetas,
        "alphas_cumprod" => d.AlphasCumprod,
        "alphas_cumprod_prev" => d.AlphasCumprodPrev,
        "sqrt_recip_alphas_cumprod" => d.SqrtRecipAlphasCumprod,
        "sqrt_recipm1_alphas_cumprod" => d.SqrtRecipm1AlphasCumprod,
        "posterior_variance" => d.PosteriorVariance,
        "posterior_log_variance_clipped" => d.PosteriorLogVarianceClipped,
        "posterior_mean_coef1" => d.PosteriorMeanCoef1,
        "posterior_mean_coef2" => d.PosteriorMeanCoef2,
        _ => throw new InvalidOperationException($"no table '{name}' in DiffusionSchedule"),
    };
}
