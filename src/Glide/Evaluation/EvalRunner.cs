using System.Diagnostics;
using Glide.Pipeline;

namespace Glide.Evaluation;

/// <summary>
/// Runs an evaluation: for each setting, generates every caption's images (caption i with seed = base seed + i, so a
/// run is reproducible and any image can be regenerated alone) and analyzes them.
/// </summary>
public sealed class EvalRunner
{
    private readonly EvalImageGenerator _generator;

    public EvalRunner(EvalImageGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
    }

    /// <summary>Evaluates <paramref name="captions"/> under <paramref name="setting"/>.</summary>
    /// <param name="setting">How to generate.</param>
    /// <param name="captions">The captions, in order.</param>
    /// <param name="seed">Seed of caption 0.</param>
    /// <param name="captionDone">Called after each caption (progress, saving images).</param>
    /// <param name="progress">Stage and step progress within a caption.</param>
    /// <param name="cancellationToken">Checked before every diffusion step.</param>
    public EvalSettingResult Run(
        EvalSetting setting,
        IReadOnlyList<EvalCaption> captions,
        long seed,
        Action<EvalCaptionResult>? captionDone = null,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(captions);
        var clock = Stopwatch.StartNew();
        var results = new List<EvalCaptionResult>(captions.Count);
        for (var i = 0; i < captions.Count; i++)
        {
            var caption = captions[i];
            var captionSeed = unchecked(seed + i);
            var images = _generator.Generate(caption.Caption, captionSeed, setting, progress, cancellationToken);
            var result = new EvalCaptionResult(
                caption, i, captionSeed,
                [.. images.Select(image => new EvalImageResult(image, SceneAnalyzer.Analyze(image.Image, caption)))]);
            results.Add(result);
            captionDone?.Invoke(result);
        }

        return new EvalSettingResult(setting, results, clock.Elapsed.TotalSeconds);
    }
}
