using Glide.Pipeline;

namespace GlideFunctions.Api;

/// <summary>
/// An inpainting request's uploads after intake: the decoded, resized source and mask the run will use, and the
/// SHA-256 of each uploaded file (what the generation's <c>input</c> echoes and its idempotency hash covers).
/// </summary>
/// <param name="Inputs">The source at 64×64 and 256×256 and the 64×64 mask (<see cref="InpaintInputs"/>).</param>
/// <param name="ImageSha256">Lower-case hex SHA-256 of the image's PNG bytes.</param>
/// <param name="MaskSha256">The same for the mask file; null when the mask came from <c>keep_top_rows</c>.</param>
public sealed record InpaintUpload(InpaintInputs Inputs, string ImageSha256, string? MaskSha256);
