namespace Glide.Evaluation;

/// <summary>
/// Accuracy over a setting's images. Colour and shape accuracy count objects (a two-object caption has two);
/// all-correct accuracy counts images whose every object has the named colour and shape.
/// </summary>
public sealed record EvalScore(int Captions, int Images, int Objects, int ColourCorrect, int ShapeCorrect, int AllCorrect)
{
    public double ColourAccuracy => Fraction(ColourCorrect, Objects);

    public double ShapeAccuracy => Fraction(ShapeCorrect, Objects);

    public double AllCorrectAccuracy => Fraction(AllCorrect, Images);

    /// <summary>Counts the verdicts of <paramref name="results"/>.</summary>
    public static EvalScore Of(IReadOnlyCollection<EvalCaptionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var images = results.SelectMany(r => r.Images).ToArray();
        var objects = images.SelectMany(i => i.Analysis.Objects).ToArray();
        return new EvalScore(
            results.Count,
            images.Length,
            objects.Length,
            objects.Count(o => o.ColourCorrect),
            objects.Count(o => o.ShapeCorrect),
            images.Count(i => i.Analysis.AllCorrect));
    }

    private static double Fraction(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}
