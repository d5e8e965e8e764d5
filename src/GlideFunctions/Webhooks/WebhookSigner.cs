using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Signs and verifies messages per the Standard Webhooks specification: <c>v1</c> is the base64 HMAC-SHA256, under
/// the secret's key, of <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
public static class WebhookSigner
{
    public const string IdHeaderName = "webhook-id";
    public const string TimestampHeaderName = "webhook-timestamp";
    public const string SignatureHeaderName = "webhook-signature";

    /// <summary>The tolerance the specification's reference libraries use against replays.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string VersionPrefix = "v1,";
    /// <summary>The longest <c>webhook-id</c> accepted.</summary>
    public const int MaximumIdLength = 256;
    private const byte Separator = (byte)'.';

    /// <summary>The header values for one attempt to send <paramref name="body"/>.</summary>
    /// <param name="webhookId">The message id: visible ASCII, the same for every retry of one message.</param>
    /// <param name="timestamp">The time of this attempt, not of the event: receivers refuse stale timestamps.</param>
    /// <param name="body">The exact bytes sent.</param>
    /// <param name="secret">The signing secret.</param>
    public static WebhookSignatureHeaders CreateHeaders(
        string webhookId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, WebhookSecret secret)
    {
        var unixSeconds = timestamp.ToUnixTimeSeconds();
        return new WebhookSignatureHeaders(
            webhookId,
            unixSeconds.ToString(CultureInfo.InvariantCulture),
            Sign(webhookId, unixSeconds, body, secret));
    }

    /// <summary>The <c>webhook-signature</c> value: <c>v1,&lt;base64&gt;</c>.</summary>
    public static string Sign(string webhookId, long unixSeconds, ReadOnlySpan<byte> body, WebhookSecret secret)
    {
        ValidateId(webhookId);
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, webhookId, unixSeconds.ToString(CultureInfo.InvariantCulture), body, mac);
        return VersionPrefix + Convert.ToBase64String(mac);
    }

    /// <summary>
    /// Checks a received message as a receiver should: all three headers present, the timestamp within
    /// <paramref name="tolerance"/> of <paramref name="now"/> (either side), and at least one <c>v1</c> signature in
    /// the space-separated header matching, compared in constant time. Signatures of other versions are skipped, as
    /// the specification asks, so a sender can add schemes (or rotate keys) without breaking receivers.
    /// </summary>
    public static WebhookVerificationResult Verify(
        WebhookSecret secret,
        string? webhookId,
        string? timestampHeader,
        string? signatureHeader,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(timestampHeader)
            || string.IsNullOrEmpty(signatureHeader))
        {
            return WebhookVerificationResult.MissingHeader;
        }

        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds)
            || unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return WebhookVerificationResult.InvalidTimestamp;
        }

        var skew = now - DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        if (skew.Duration() > tolerance)
        {
            return WebhookVerificationResult.TimestampOutsideTolerance;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, webhookId, timestampHeader, body, expected);

        // One byte more than a MAC, so a longer candidate fails to decode instead of matching on its prefix.
        Span<byte> candidate = stackalloc byte[HMACSHA256.HashSizeInBytes + 1];
        foreach (var range in signatureHeader.AsSpan().Split(' '))
        {
            var entry = signatureHeader.AsSpan()[range];
            if (!entry.StartsWith(VersionPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (Convert.TryFromBase64Chars(entry[VersionPrefix.Length..], candidate, out var written)
                && CryptographicOperations.FixedTimeEquals(expected, candidate[..written]))
            {
                return WebhookVerificationResult.Valid;
            }
        }

        return WebhookVerificationResult.NoMatchingSignature;
    }

    private static void ComputeMac(
        WebhookSecret secret, string webhookId, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret.Key);
        hmac.AppendData(Encoding.UTF8.GetBytes(webhookId));
        hmac.AppendData([Separator]);
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp));
        hmac.AppendData([Separator]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    /// <summary>
    /// Whether <paramref name="webhookId"/> can be a <c>webhook-id</c>: 1 to <see cref="MaximumIdLength"/> visible
    /// ASCII characters. It travels in an HTTP header, where anything else could split or corrupt it.
    /// </summary>
    public static bool IsValidId(string? webhookId) =>
        webhookId is { Length: > 0 and <= MaximumIdLength } && webhookId.All(c => c is >= '!' and <= '~');

    private static void ValidateId(string webhookId)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        if (!IsValidId(webhookId))
        {
            throw new ArgumentException(
                $"a webhook id must be 1 to {MaximumIdLength} visible ASCII characters", nameof(webhookId));
        }
    }
}
