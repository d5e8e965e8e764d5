using Glide.Pipeline;
using GlideFunctions.Activities;

namespace GlideFunctions.Api;

/// <summary>
/// What a valid request needs from the configured model directory beyond the text-to-image models: CLIP for a rerank,
/// clip.grad for CLIP guidance, the inpainting models for an image. Checked before anything starts, by the HTTP
/// create (400) and the queue (poison), so a request the directory cannot run is refused with the field named
/// instead of failing its generation at that stage.
/// </summary>
public static class ModelRequirements
{
    /// <summary>Every field <paramref name="input"/> asks for that <paramref name="models"/> cannot serve.</summary>
    /// <exception cref="Glide.Models.ModelManifestException">The model directory has no valid manifest.</exception>
    public static IReadOnlyList<FieldError> Check(GenerationInput input, ModelCatalog models)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(models);
        var errors = new List<FieldError>();
        if (input.Rerank && !models.CanRerank)
        {
            errors.Add(new(
                GenerationFields.Rerank,
                "rerank unavailable: the model directory has no clip graphs (clip.text, clip.image); " +
                "leave out rerank, or set it to false"));
        }

        if (input.GuidanceMode == GuidanceModeNames.Clip && !models.CanClipGuide)
        {
            errors.Add(new(
                GenerationFields.GuidanceMode,
                models.CanRerank
                    ? "guidance_mode \"clip\" unavailable: the model directory's clip model has no gradient graph " +
                      "(clip.grad; it was exported before the graph existed); use \"cfg\""
                    : "guidance_mode \"clip\" unavailable: the model directory has no clip graphs (clip.text, " +
                      "clip.grad); use \"cfg\""));
        }

        if (input.IsInpaint && !models.CanInpaint)
        {
            errors.Add(new(
                GenerationFields.Image,
                "image: inpainting unavailable: the model directory has no inpainting models (base-inpaint, " +
                "upsample-inpaint); leave out image and mask"));
        }

        return errors;
    }
}
