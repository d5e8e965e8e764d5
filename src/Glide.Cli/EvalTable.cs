using System.Globalization;
using Glide.Evaluation;

namespace Glide.Cli;

/// <summary>The accuracy table <c>glide eval</c> prints: one row per setting.</summary>
internal static class EvalTable
{
    public static void Write(TextWriter output, IReadOnlyList<EvalSettingResult> results)
    {
        var width = Math.Max("setting".Length, results.Max(r => r.Setting.Name.Length));
        output.WriteLine();
        output.WriteLine($"{"setting".PadRight(width)}  captions  images  colour   shape  all correct  seconds");
        foreach (var result in results)
        {
            var score = result.Score;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Setting.Name.PadRight(width)}  {score.Captions,8}  {score.Images,6}  " +
                $"{Percent(score.ColourAccuracy),6}  {Percent(score.ShapeAccuracy),6}  {Percent(score.AllCorrectAccuracy),11}  " +
                $"{result.Seconds,7:F1}"));
        }

        output.WriteLine();
        output.WriteLine(
            "colour and shape: share of caption objects with the named colour / shape (a two-object caption counts " +
            "twice); all correct: share of images with every object right.");
    }

    private static string Percent(double fraction) =>
        (100 * fraction).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
