namespace GlideFunctions.Activities;

/// <summary>
/// Where an inpainting run's decoded source and mask are stored (<c>Glide.Pipeline.InpaintInputs.ToArrays</c>):
/// image64 [3, 64, 64], mask64 [1, 64, 64] (1 = keep) and image256 [3, 256, 256]. Written once before the run starts;
/// every inpainting stage reads them back, so the images never pass through the orchestration history.
/// </summary>
public sealed record InpaintBlobs(string Image64, string Mask64, string Image256);
