using System.CommandLine;
using System.Globalization;
using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tokenization;

namespace Glide.Cli;

/// <summary>
/// <c>glide inpaint --image in.png --mask mask.png "prompt" -o out.png</c>: regenerate the masked part of an image
/// with the base-inpaint and upsample-inpaint models (glide-spec §8.3).
/// </summary>
internal static class InpaintCommand
{
    private const string Name = "glide inpaint";

    public static Command Create(TextWriter output, TextWriter error, DefaultModel defaultModel)
    {
        var prompt = new Argument<string>("prompt") { Description = "What to paint into the masked region." };
        var image = new Option<string>("--image")
        {
            Description = "Source PNG, any size (stretched to a square; alpha ignored).",
            Required = true,
        };
        var mask = new Option<string?>("--mask")
        {
            Description = "Mask PNG, any size: white (≥ 50 % grey) keeps the source, black is generated.",
        };
        var invertMask = new Option<bool>("--invert-mask") { Description = "Read the mask the other way round: white is generated." };
        var keepTopRows = new Option<int?>("--keep-top-rows")
        {
            Description = "Instead of --mask: keep the top N of the 64 base rows, generate the rest (the notebook uses 20).",
        };
        var outputPath = new Option<string?>("--output", "-o")
        {
            Description = "PNG path (default glide-inpaint.png); with --count > 1 the index is added (out-0.png, …).",
        };
        var negative = CascadeOptions.NegativePrompt();
        var count = CascadeOptions.Count();
        var seed = CascadeOptions.Seed();
        var guidance = new Option<float>("--guidance")
        {
            Description = "Classifier-free guidance scale.",
            DefaultValueFactory = _ => InpaintRequest.DefaultGuidanceScale,
        };
        var baseSteps = new Option<string>("--base-steps") { Description = "Base respacing: \"100\", \"50\", …", DefaultValueFactory = _ => "100" };
        var upsampleSteps = new Option<string>("--upsample-steps") { Description = "Upsampler respacing (ancestral steps).", DefaultValueFactory = _ => "fast27" };
        var modelDir = new Option<string?>("--model-dir") { Description = "Exported model directory with base-inpaint and upsample-inpaint (default: the bundled tiny random-weight test model; glide-shapes has no inpainting models)." };
        var device = CascadeOptions.Device();

        var command = new Command("inpaint", "Regenerate the masked region of an image from a prompt (64×64 base-inpaint + 256×256 upsample-inpaint).")
        {
            prompt, image, mask, invertMask, keepTopRows, outputPath, negative, count, seed, guidance, baseSteps, upsampleSteps, modelDir, device,
        };
        command.Validators.Add(result =>
        {
            var hasMask = result.GetValue(mask) is not null;
            var rows = result.GetValue(keepTopRows);
            if (hasMask == rows.HasValue)
            {
                result.AddError(hasMask
                    ? "give either --mask or --keep-top-rows, not both"
                    : "give a mask: --mask FILE (white keeps, black is generated) or --keep-top-rows N");
            }
            else if (rows is { } r && (r < 0 || r >= InpaintInputs.BaseSize))
            {
                result.AddError($"--keep-top-rows must be between 0 and {InpaintInputs.BaseSize - 1}, got {r}");
            }
            else if (!hasMask && result.GetValue(invertMask))
            {
                result.AddError("--invert-mask applies to --mask only");
            }
        });
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Execute(
            new InpaintRequest
            {
                Prompt = parseResult.GetValue(prompt)!,
                NegativePrompt = parseResult.GetValue(negative),
                Count = parseResult.GetValue(count),
                Seed = parseResult.GetValue(seed),
                GuidanceScale = parseResult.GetValue(guidance),
                BaseSteps = parseResult.GetValue(baseSteps)!,
                UpsampleSteps = parseResult.GetValue(upsampleSteps)!,
            },
            new Settings(
                parseResult.GetValue(image)!,
                parseResult.GetValue(mask),
                parseResult.GetValue(invertMask),
                parseResult.GetValue(keepTopRows),
                parseResult.GetValue(outputPath),
                parseResult.GetValue(modelDir),
                CascadeOptions.DeviceOf(parseResult, device)),
            defaultModel,
            output,
            error,
            cancellationToken)));
        return command;
    }

    internal sealed record Settings(
        string ImagePath, string? MaskPath, bool InvertMask, int? KeepTopRows, string? OutputPath, string? ModelDirectory,
        ExecutionDevice Device);

    public static int Execute(
        InpaintRequest request,
        Settings settings,
        DefaultModel defaultModel,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var console = new CascadeConsole(Name, output, error, defaultModel);
        return console.Run(() =>
        {
            request.Validate();
            var outputs = NumberedOutputPaths.For(settings.OutputPath ?? "glide-inpaint.png", request.Count);

            // Every input is checked before the models load: a bad file costs nothing.
            var source = PngImageReader.ReadFile(settings.ImagePath, InpaintInputs.ImageField);
            var mask = settings.MaskPath is { } maskPath
                ? InpaintMask.FromImage(
                    PngImageReader.ReadFile(maskPath, InpaintInputs.MaskField), InpaintInputs.BaseSize, settings.InvertMask)
                : InpaintMask.KeepTopRows(settings.KeepTopRows ?? 0, InpaintInputs.BaseSize);
            var inputs = InpaintInputs.Create(source, mask);
            DescribeInputs(output, source, inputs);

            if (console.FindModelDirectory(settings.ModelDirectory) is not { } directory)
            {
                return ExitCodes.BadInput;
            }

            using var models = console.LoadModels(
                directory, settings.Device, new GlideModelSetOptions { Models = ["base-inpaint", "upsample-inpaint"] });
            var cascade = new InpaintCascade(models, new GlideTokenizer());
            var result = cascade.Inpaint(request, inputs, console.Progress, cancellationToken);
            console.NotePromptTruncation(result.PromptTruncated);
            foreach (var image in result.Images)
            {
                console.WriteImage(outputs[image.Index], image);
            }

            console.WriteTimes(result.StageSeconds, models.EffectiveDevice);
            return ExitCodes.Success;
        });
    }

    private static void DescribeInputs(TextWriter output, RgbImage source, InpaintInputs inputs)
    {
        var size = InpaintInputs.BaseSize;
        var stretched = source.Width == source.Height ? string.Empty : " (not square: stretched, not cropped)";
        output.WriteLine($"image: {source.Width}×{source.Height} resized to {size}×{size} and " +
                         $"{InpaintInputs.UpsampleSize}×{InpaintInputs.UpsampleSize} (bicubic){stretched}");
        var total = size * size;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"mask: keeps {inputs.KeptPixels:N0} of {total:N0} pixels at {size}×{size} " +
            $"({100.0 * inputs.KeptPixels / total:F0} %), generates the rest"));
    }
}
