using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Storage;

/// <summary>
/// Where runs keep their tensors and images; bound from the <c>Storage</c> section (app settings
/// <c>Storage__ConnectionName</c>, <c>Storage__RunsContainer</c>).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// The connection the runs container lives in, named the way Functions bindings name theirs: an app setting
    /// holding a connection string, or the prefix of <c>{name}__blobServiceUri</c> style identity settings.
    /// </summary>
    [Required]
    public string ConnectionName { get; set; } = "AzureWebJobsStorage";

    /// <summary>
    /// The blob container holding <c>runs/{runId}/…</c> (<see cref="RunBlobNames"/>). Azure's container naming
    /// rules: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
    /// </summary>
    [Required]
    [StringLength(63, MinimumLength = 3)]
    [RegularExpression(
        "^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$",
        ErrorMessage = "The field RunsContainer must be a valid blob container name: lowercase letters, digits and " +
            "single hyphens, starting and ending with a letter or digit.")]
    public string RunsContainer { get; set; } = "glide-runs";
}
