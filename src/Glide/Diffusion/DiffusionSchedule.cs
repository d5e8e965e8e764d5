namespace Glide.Diffusion;

/// <summary>
/// The float64 tables of a respaced diffusion process (glide-spec §7.1, §7.2), indexed by the spaced index i = 0 … S−1.
/// </summary>
/// <remarks>
/// Port of glide_text2im respace.py <c>SpacedDiffusion.__init__</c> and gaussian_diffusion.py
/// <c>GaussianDiffusion.__init__</c>, via the project's reference <c>glide_export.diffusion.Diffusion</c>. The spaced
/// betas come from walking the original ᾱ: β'_j = 1 − ᾱ_{map[j]}/ᾱ_{map[j−1]} (ᾱ before the first kept step is 1);
/// every table is then rebuilt from β' with the reference's float64 operation order. Even the full 1000-step
/// process is built this way (respacing <c>"1000"</c>), as the reference builds it.
/// </remarks>
public sealed class DiffusionSchedule
{
    private readonly int[] _timestepMap;
    private readonly double[] _betas;
    private readonly double[] _logBetas;
    private readonly double[] _alphas;
    private readonly double[] _alphasCumprod;
    private readonly double[] _alphasCumprodPrev;
    private readonly double[] _sqrtRecipAlphasCumprod;
    private readonly double[] _sqrtRecipm1AlphasCumprod;
    private readonly double[] _posteriorVariance;
    private readonly double[] _posteriorLogVarianceClipped;
    private readonly double[] _posteriorMeanCoef1;
    private readonly double[] _posteriorMeanCoef2;
    private readonly StepCoefficients[] _coefficients;

    private DiffusionSchedule(
        string scheduleName, string respacing, int originalSteps, int[] timestepMap, double[] betas)
    {
        ScheduleName = scheduleName;
        Respacing = respacing;
        OriginalSteps = originalSteps;
        _timestepMap = timestepMap;
        _betas = betas;

        var steps = betas.Length;
        _logBetas = new double[steps];
        _alphas = new double[steps];
        _alphasCumprod = new double[steps];
        _alphasCumprodPrev = new double[steps];
        _sqrtRecipAlphasCumprod = new double[steps];
        _sqrtRecipm1AlphasCumprod = new double[steps];
        _posteriorVariance = new double[steps];
        _posteriorLogVarianceClipped = new double[steps];
        _posteriorMeanCoef1 = new double[steps];
        _posteriorMeanCoef2 = new double[steps];
        _coefficients = new StepCoefficients[steps];

        var product = 1.0;
        for (var i = 0; i < steps; i++)
        {
            _logBetas[i] = Math.Log(betas[i]);
            _alphas[i] = 1.0 - betas[i];
            _alphasCumprodPrev[i] = product;
            product *= _alphas[i];
            _alphasCumprod[i] = product;
        }

        for (var i = 0; i < steps; i++)
        {
            var alphaBar = _alphasCumprod[i];
            var alphaBarPrev = _alphasCumprodPrev[i];
            _sqrtRecipAlphasCumprod[i] = Math.Sqrt(1.0 / alphaBar);
            _sqrtRecipm1AlphasCumprod[i] = Math.Sqrt((1.0 / alphaBar) - 1.0);
            _posteriorVariance[i] = betas[i] * (1.0 - alphaBarPrev) / (1.0 - alphaBar);
            _posteriorMeanCoef1[i] = betas[i] * Math.Sqrt(alphaBarPrev) / (1.0 - alphaBar);
            _posteriorMeanCoef2[i] = (1.0 - alphaBarPrev) * Math.Sqrt(_alphas[i]) / (1.0 - alphaBar);
        }

        // The posterior variance is 0 at i = 0; its log takes entry 1 there (−∞ for a one-step process, as in the
        // reference).
        for (var i = 0; i < steps; i++)
        {
            var clipped = i == 0 && steps > 1 ? _posteriorVariance[1] : _posteriorVariance[i];
            _posteriorLogVarianceClipped[i] = Math.Log(clipped);
        }

        for (var i = 0; i < steps; i++)
        {
            _coefficients[i] = new StepCoefficients
            {
                LogBeta = (float)_logBetas[i],
                PosteriorLogVarianceClipped = (float)_posteriorLogVarianceClipped[i],
                PosteriorMeanCoef1 = (float)_posteriorMeanCoef1[i],
                PosteriorMeanCoef2 = (float)_posteriorMeanCoef2[i],
                SqrtRecipAlphasCumprod = (float)_sqrtRecipAlphasCumprod[i],
                SqrtRecipm1AlphasCumprod = (float)_sqrtRecipm1AlphasCumprod[i],
                AlphasCumprod = (float)_alphasCumprod[i],
                AlphasCumprodPrev = (float)_alphasCumprodPrev[i],
            };
        }
    }

    /// <summary>The beta schedule's name, e.g. <c>"squaredcos_cap_v2"</c>.</summary>
    public string ScheduleName { get; }

    /// <summary>The respacing string the schedule was built from, e.g. <c>"100"</c> or <c>"fast27"</c>.</summary>
    public string Respacing { get; }

    /// <summary>Steps of the original (unspaced) process, T.</summary>
    public int OriginalSteps { get; }

    /// <summary>Spaced steps S: the sampler runs i = S−1 down to 0.</summary>
    public int Steps => _betas.Length;

    /// <summary>Original timestep of each spaced index, ascending: the model runs at <c>TimestepMap[i]</c>.</summary>
    public ReadOnlySpan<int> TimestepMap => _timestepMap;

    /// <summary>β'.</summary>
    public ReadOnlySpan<double> Betas => _betas;

    /// <summary>log β'.</summary>
    public ReadOnlySpan<double> LogBetas => _logBetas;

    /// <summary>α' = 1 − β'.</summary>
    public ReadOnlySpan<double> Alphas => _alphas;

    /// <summary>ᾱ' = cumprod(α').</summary>
    public ReadOnlySpan<double> AlphasCumprod => _alphasCumprod;

    /// <summary>ᾱ'_prev = [1, ᾱ'[:-1]].</summary>
    public ReadOnlySpan<double> AlphasCumprodPrev => _alphasCumprodPrev;

    /// <summary>√(1/ᾱ').</summary>
    public ReadOnlySpan<double> SqrtRecipAlphasCumprod => _sqrtRecipAlphasCumprod;

    /// <summary>√(1/ᾱ' − 1).</summary>
    public ReadOnlySpan<double> SqrtRecipm1AlphasCumprod => _sqrtRecipm1AlphasCumprod;

    /// <summary>β'·(1 − ᾱ'_prev)/(1 − ᾱ').</summary>
    public ReadOnlySpan<double> PosteriorVariance => _posteriorVariance;

    /// <summary>log of the posterior variance with entry 0 replaced by entry 1.</summary>
    public ReadOnlySpan<double> PosteriorLogVarianceClipped => _posteriorLogVarianceClipped;

    /// <summary>β'·√ᾱ'_prev/(1 − ᾱ').</summary>
    public ReadOnlySpan<double> PosteriorMeanCoef1 => _posteriorMeanCoef1;

    /// <summary>(1 − ᾱ'_prev)·√α'/(1 − ᾱ').</summary>
    public ReadOnlySpan<double> PosteriorMeanCoef2 => _posteriorMeanCoef2;

    /// <summary>
    /// The named beta schedule, respaced: e.g. <c>Create("squaredcos_cap_v2", "100")</c> for the base model and
    /// <c>Create("linear", "fast27")</c> for the upsampler.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown schedule, a malformed or impossible respacing, or betas outside
    /// (0, 1].</exception>
    public static DiffusionSchedule Create(string scheduleName, string respacing, int numTimesteps = 1000)
    {
        var betas = BetaSchedule.Create(scheduleName, numTimesteps);
        var timesteps = Diffusion.Respacing.Parse(respacing, numTimesteps);
        foreach (var beta in betas)
        {
            if (!(beta > 0 && beta <= 1))
            {
                throw new ArgumentException(
                    $"schedule '{scheduleName}' over {numTimesteps} steps has a beta of {beta}; " +
                    "betas must lie in (0, 1]",
                    nameof(numTimesteps));
            }
        }

        return new DiffusionSchedule(scheduleName, respacing, numTimesteps, timesteps, SpacedBetas(betas, timesteps));
    }

    /// <summary>The float32 casts of step <paramref name="i"/>'s table values.</summary>
    public StepCoefficients Coefficients(int i)
    {
        CheckIndex(i);
        return _coefficients[i];
    }

    /// <summary>Throws unless <paramref name="i"/> is a spaced index of this schedule.</summary>
    public void CheckIndex(int i)
    {
        if ((uint)i >= (uint)Steps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(i), i, $"spaced index {i} out of range [0, {Steps - 1}] of schedule {this}");
        }
    }

    public override string ToString() => $"{ScheduleName}/{Respacing} ({Steps} steps)";

    // β'_j = 1 − ᾱ_{map[j]}/ᾱ_last, walking ᾱ = cumprod(1 − β) in order with ᾱ_last starting at 1.
    private static double[] SpacedBetas(double[] betas, int[] timesteps)
    {
        var spaced = new double[timesteps.Length];
        var alphaBar = 1.0;
        var last = 1.0;
        var next = 0;
        for (var t = 0; t < betas.Length && next < timesteps.Length; t++)
        {
            alphaBar *= 1.0 - betas[t];
            if (t == timesteps[next])
            {
                spaced[next++] = 1.0 - (alphaBar / last);
                last = alphaBar;
            }
        }

        return spaced;
    }
}
