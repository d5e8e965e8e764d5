using System.Security.Cryptography;

namespace GlideFunctions.Webhooks;

/// <summary>
/// A Standard Webhooks signing secret: <c>whsec_</c> followed by the base64 of the raw HMAC key.
/// </summary>
/// <remarks>
/// The Standard Webhooks specification asks for keys of 24 to 64 bytes; shorter keys weaken the HMAC, longer ones are
/// hashed down by HMAC-SHA256 anyway and other implementations may refuse them.
/// <see cref="ToString"/> never shows the key, so a secret that reaches a log line or an exception message stays
/// secret.
/// </remarks>
public sealed class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int MinimumKeyBytes = 24;
    public const int MaximumKeyBytes = 64;

    private readonly byte[] _key;

    private WebhookSecret(byte[] key) => _key = key;

    /// <summary>The raw HMAC key.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>Parses <c>whsec_&lt;base64&gt;</c>; a <see cref="FormatException"/> says what is wrong.</summary>
    public static WebhookSecret Parse(string? value) =>
        TryParse(value, out var secret, out var error) ? secret : throw new FormatException(error);

    /// <summary>Parses <c>whsec_&lt;base64&gt;</c>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(
        string? value,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebhookSecret? secret,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        secret = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"the webhook secret is empty; expected '{Prefix}' followed by base64";
            return false;
        }

        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"the webhook secret must start with '{Prefix}'";
            return false;
        }

        var encoded = value.AsSpan(Prefix.Length);
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (encoded.IsEmpty || !Convert.TryFromBase64Chars(encoded, buffer, out var length))
        {
            error = $"the webhook secret after '{Prefix}' is not valid base64";
            return false;
        }

        if (length is < MinimumKeyBytes or > MaximumKeyBytes)
        {
            error = $"the webhook secret decodes to {length} bytes; Standard Webhooks needs "
                + $"{MinimumKeyBytes} to {MaximumKeyBytes}";
            return false;
        }

        secret = new WebhookSecret(buffer[..length]);
        error = null;
        return true;
    }

    /// <summary>A fresh secret from the operating system's cryptographic generator (32 bytes unless asked).</summary>
    public static WebhookSecret Generate(int keyBytes = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyBytes, MinimumKeyBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyBytes, MaximumKeyBytes);
        return new WebhookSecret(RandomNumberGenerator.GetBytes(keyBytes));
    }

    /// <summary>The <c>whsec_</c> form to hand to the receiver; the only member that reveals the key.</summary>
    public string Encode() => Prefix + Convert.ToBase64String(_key);

    public override string ToString() => Prefix + "***";
}
