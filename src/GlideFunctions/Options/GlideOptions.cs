using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Options;

/// <summary>
/// Where the exported models are and which device runs them; bound from the <c>Glide</c> section
/// (app settings <c>Glide__ModelDirectory</c>, <c>Glide__Device</c>).
/// </summary>
public sealed class GlideOptions
{
    public const string SectionName = "Glide";

    /// <summary>The exported model directory (the one holding <c>manifest.json</c>).</summary>
    [Required]
    public string ModelDirectory { get; set; } = string.Empty;

    /// <summary><c>cpu</c>, or <c>cuda</c> to ask for the CUDA execution provider.</summary>
    [Required]
    [AllowedValues("cpu", "cuda")]
    public string Device { get; set; } = "cpu";
}
