using Glide.Imaging;
using Glide.Pipeline;

namespace GlideFunctions.Bench;

/// <summary>One generation through the core library in process: <see cref="GlideCascade.Generate"/> + PNG encoding.</summary>
/// <param name="Wall">Seconds for the whole call and the PNGs.</param>
/// <param name="StageSeconds">The cascade's own seconds per stage (text, base, upsample).</param>
/// <param name="PngSeconds">Seconds to encode the PNGs (part of <paramref name="Wall"/>).</param>
/// <param name="Pngs">The encoded images, in request order.</param>
internal sealed record DirectRun(
    double Wall, IReadOnlyDictionary<string, double> StageSeconds, double PngSeconds, IReadOnlyList<byte[]> Pngs)
{
    public double Compute => StageSeconds.Values.Sum();

    public static DirectRun Run(GlideCascade cascade, GenerationRequest request)
    {
        var start = BenchClock.Now;
        var result = cascade.Generate(request);
        var encoded = BenchClock.Now;
        var pngs = result.Images.Select(image => PngFile.Encode(image.Rgb, image.Width, image.Height)).ToArray();
        var end = BenchClock.Now;
        return new DirectRun(end - start, result.StageSeconds, end - encoded, pngs);
    }
}
