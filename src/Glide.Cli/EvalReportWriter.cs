using System.Text.Encodings.Web;
using System.Text.Json;
using Glide.Diffusion;
using Glide.Evaluation;

namespace Glide.Cli;

/// <summary>
/// The <c>--json</c> report of <c>glide eval</c>: the run's arguments, then per setting its score and every
/// caption's images with the analyzer's findings (snake_case keys). Only the <c>seconds</c> fields vary between
/// two runs with the same arguments.
/// </summary>
internal static class EvalReportWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(
        string path, EvalCommand.Settings settings, string modelDirectory, SamplerKind upsampleSampler,
        IReadOnlyList<EvalSettingResult> results)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, Options);
        writer.WriteStartObject();
        writer.WriteString("captions_file", settings.CaptionsPath);
        writer.WriteString("model_dir", modelDirectory);
        writer.WriteNumber("seed", settings.Seed);
        writer.WriteString("base_steps", settings.BaseSteps);
        writer.WriteBoolean("upsample", settings.Upsample);
        if (settings.Upsample)
        {
            writer.WriteString("upsample_steps", settings.UpsampleSteps);
            writer.WriteString("upsample_sampler", SamplerKinds.Name(upsampleSampler));
        }
        else
        {
            writer.WriteNull("upsample_steps");
            writer.WriteNull("upsample_sampler");
        }

        writer.WriteStartArray("settings");
        foreach (var result in results)
        {
            WriteSetting(writer, result, settings.SaveDirectory);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSetting(Utf8JsonWriter writer, EvalSettingResult result, string? saveDirectory)
    {
        var setting = result.Setting;
        var score = result.Score;
        writer.WriteStartObject();
        writer.WriteString("name", setting.Name);
        writer.WriteNumber("guidance", setting.GuidanceScale);
        writer.WriteNumber("candidates", setting.Count);
        WriteNullable(writer, "keep", setting.Keep);
        writer.WriteBoolean("rerank", setting.Keep is not null);
        writer.WriteNumber("captions", score.Captions);
        writer.WriteNumber("images", score.Images);
        writer.WriteNumber("objects", score.Objects);
        writer.WriteNumber("colour_correct", score.ColourCorrect);
        writer.WriteNumber("shape_correct", score.ShapeCorrect);
        writer.WriteNumber("all_correct", score.AllCorrect);
        writer.WriteNumber("colour_accuracy", score.ColourAccuracy);
        writer.WriteNumber("shape_accuracy", score.ShapeAccuracy);
        writer.WriteNumber("all_correct_accuracy", score.AllCorrectAccuracy);
        writer.WriteNumber("seconds", result.Seconds);
        writer.WriteStartArray("results");
        foreach (var caption in result.Captions)
        {
            writer.WriteStartObject();
            writer.WriteString("id", caption.Caption.Id);
            writer.WriteString("caption", caption.Caption.Caption);
            writer.WriteNumber("seed", caption.Seed);
            writer.WriteBoolean("all_correct", caption.Images.All(i => i.Analysis.AllCorrect));
            writer.WriteStartArray("images");
            for (var k = 0; k < caption.Images.Count; k++)
            {
                WriteImage(writer, caption.Images[k], caption.Caption, saveDirectory is null
                    ? null
                    : Path.Combine(saveDirectory, EvalCommand.ImageFileName(setting, caption.Caption, k)));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter writer, EvalImageResult result, EvalCaption caption, string? file)
    {
        var image = result.Image;
        var analysis = result.Analysis;
        writer.WriteStartObject();
        writer.WriteNumber("candidate", image.Candidate);
        writer.WriteNumber("seed", image.Seed);
        WriteNullable(writer, "clip_score", image.ClipScore);
        if (file is null)
        {
            writer.WriteNull("file");
        }
        else
        {
            writer.WriteString("file", file);
        }

        writer.WriteNumber("size", image.Image.Width);
        writer.WriteString("background", analysis.Background.Name);
        if (caption.Background is { } named)
        {
            writer.WriteString("background_named", named.Name);
        }
        else
        {
            writer.WriteNull("background_named");
        }

        writer.WriteBoolean("all_correct", analysis.AllCorrect);
        writer.WriteStartArray("objects");
        foreach (var found in analysis.Objects)
        {
            WriteObject(writer, found);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter writer, ObjectAnalysis found)
    {
        var expected = found.Expected;
        writer.WriteStartObject();
        writer.WriteString("shape", ShapeKindNames.ToName(expected.Shape));
        writer.WriteString("colour", expected.Colour.Name);
        if (expected.Region == SceneRegion.Anywhere)
        {
            writer.WriteNull("region");
        }
        else
        {
            writer.WriteString("region", expected.Region.Name);
        }

        if (expected.Size is { } size)
        {
            writer.WriteString("size", size);
        }
        else
        {
            writer.WriteNull("size");
        }

        writer.WriteBoolean("found", found.Found);
        if (found.DetectedColour is { } colour)
        {
            writer.WriteString("detected_colour", colour.Name);
        }
        else
        {
            writer.WriteNull("detected_colour");
        }

        if (found.DetectedShape is { } shape)
        {
            writer.WriteString("detected_shape", ShapeKindNames.ToName(shape));
        }
        else
        {
            writer.WriteNull("detected_shape");
        }

        writer.WriteBoolean("colour_correct", found.ColourCorrect);
        writer.WriteBoolean("shape_correct", found.ShapeCorrect);
        writer.WriteNumber("object_pixels", found.ObjectPixels);
        if (found.Geometry is { } geometry)
        {
            writer.WriteStartObject("geometry");
            writer.WriteNumber("pixels", geometry.Pixels);
            writer.WriteNumber("width", geometry.Width);
            writer.WriteNumber("height", geometry.Height);
            writer.WriteNumber("fill", Math.Round(geometry.Fill, 4));
            writer.WriteNumber("width_ratio", Math.Round(geometry.WidthRatio, 4));
            writer.WriteStartObject("overlaps");
            for (var k = 0; k < geometry.Overlaps.Count; k++)
            {
                writer.WriteNumber(ShapeKindNames.All[k], Math.Round(geometry.Overlaps[k], 4));
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("geometry");
        }

        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, float? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
