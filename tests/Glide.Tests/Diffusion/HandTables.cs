namespace Glide.Tests.Diffusion;

/// <summary>
/// The §7.1 tables of one spaced step (i ≥ 1) computed by hand from closed forms of ᾱ, independently of the code
/// under test (as tests/export/test_diffusion.py does): ᾱ'_i = ᾱ_{map[i]} and ᾱ'_{i−1} = ᾱ_{map[i−1]}.
/// </summary>
internal sealed record HandTables(
    double AlphaBar,
    double AlphaBarPrev,
    double LogBeta,
    double LogPosterior,
    double Coef1,
    double Coef2,
    double SqrtRecip,
    double SqrtRecipm1)
{
    public static HandTables From(double alphaBar, double alphaBarPrev)
    {
        var beta = 1.0 - (alphaBar / alphaBarPrev);
        var posteriorVariance = beta * (1.0 - alphaBarPrev) / (1.0 - alphaBar);
        return new HandTables(
            alphaBar,
            alphaBarPrev,
            Math.Log(beta),
            Math.Log(posteriorVariance),
            beta * Math.Sqrt(alphaBarPrev) / (1.0 - alphaBar),
            (1.0 - alphaBarPrev) * Math.Sqrt(1.0 - beta) / (1.0 - alphaBar),
            Math.Sqrt(1.0 / alphaBar),
            Math.Sqrt((1.0 / alphaBar) - 1.0));
    }

    /// <summary>ᾱ_t of squaredcos_cap_v2 for t &lt; 999, where no β is capped: the product telescopes to
    /// ᾱ((t+1)/1000)/ᾱ(0).</summary>
    public static double CosineAlphaBar(int t) => CosineF((t + 1) / 1000.0) / CosineF(0.0);

    /// <summary>ᾱ_t of the linear schedule: Π_{j ≤ t} (1 − β_j), β_j = 1e-4 + j·(0.02 − 1e-4)/999.</summary>
    public static double LinearAlphaBar(int t)
    {
        var product = 1.0;
        for (var j = 0; j <= t; j++)
        {
            product *= 1.0 - (1e-4 + (j * (0.02 - 1e-4) / 999));
        }

        return product;
    }

    /// <summary>(unclamped, clamped) x0 in float32.</summary>
    public (float Raw, float Clamped) X0(float x, float eps)
    {
        var raw = ((float)SqrtRecip * x) - ((float)SqrtRecipm1 * eps);
        return (raw, Math.Clamp(raw, -1f, 1f));
    }

    private static double CosineF(double s)
    {
        var c = Math.Cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
