using Glide.Imaging;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Api;

/// <summary>What <see cref="GenerationRequestParser"/> accepts beyond the public contract.</summary>
public sealed record GenerationParserOptions
{
    /// <summary>
    /// 8 MiB: the largest image or mask file an inpainting request may upload (the models only see it resized to
    /// 64×64 and 256×256; the CLI, reading local files, allows 32 MiB).
    /// </summary>
    public const long DefaultMaxImageBytes = 8L * 1024 * 1024;

    /// <summary>
    /// 24 MiB: the largest valid body fits (two 8 MiB PNG files in base64, 4/3 of their size, are 21.3 MiB; the text
    /// fields at most 48,000 bytes: two 2,000-character prompts of astral characters written as <c>\uXXXX\uXXXX</c>
    /// pairs), and nothing larger is buffered.
    /// </summary>
    public const int DefaultMaxBodyBytes = 24 * 1024 * 1024;

    /// <summary>The HTTP create endpoint: https webhooks to public hosts, no client id.</summary>
    public static GenerationParserOptions Http { get; } = new();

    /// <summary>Queue messages: as <see cref="Http"/>, plus the client <c>id</c>.</summary>
    public static GenerationParserOptions Queue { get; } = new() { AllowClientId = true };

    /// <summary>Bodies longer than this are refused before parsing.</summary>
    public int MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>
    /// What an uploaded image or mask may cost (checked before it is decoded): <see cref="DefaultMaxImageBytes"/> and
    /// the core library's pixel limits (16,777,216 pixels, 16,384 a side).
    /// </summary>
    public ImageLimits ImageLimits { get; init; } = new() { MaxBytes = DefaultMaxImageBytes };

    /// <summary>Accept <c>http://</c> webhooks (local development with a plain-HTTP receiver).</summary>
    public bool AllowInsecureWebhooks { get; init; }

    /// <summary>Accept webhooks to loopback, private and link-local addresses (local development).</summary>
    public bool AllowPrivateWebhooks { get; init; }

    /// <summary>Accept the <c>id</c> field (queue messages).</summary>
    public bool AllowClientId { get; init; }

    /// <summary>
    /// Accept the <c>webhook</c> field at all. Off when no signing secret is configured
    /// (<see cref="WebhookOptions.WebhooksEnabled"/>): a request that asks for a webhook is then refused with a 400
    /// rather than accepted and never notified.
    /// </summary>
    public bool WebhooksEnabled { get; init; } = true;

    /// <summary>
    /// These options with the webhook rules of <paramref name="webhooks"/>: enabled only with a secret, <c>http</c>
    /// when https is not required, private targets when allowed (the last two for local development).
    /// </summary>
    public GenerationParserOptions WithWebhookOptions(WebhookOptions webhooks)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        return this with
        {
            WebhooksEnabled = webhooks.WebhooksEnabled,
            AllowInsecureWebhooks = !webhooks.RequireHttps,
            AllowPrivateWebhooks = webhooks.AllowPrivateTargets,
        };
    }
}
