using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace GlideFunctions.Api;

/// <summary>
/// A validated <c>Idempotency-Key</c> header (1 to 255 visible ASCII characters, as the IETF httpapi draft and
/// hosted APIs take it), and the hashes that let the create endpoint decide "same key and same body: the same
/// generation; same key and another body: 409".
/// </summary>
public sealed class IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";

    public const int MaxLength = 255;

    private static readonly JsonSerializerOptions CanonicalOptions = new() { WriteIndented = false };

    private IdempotencyKey(string value)
    {
        Value = value;
    }

    public string Value { get; }

    /// <summary>
    /// Reads the header: absent gives true with a null <paramref name="key"/> (the create is then not
    /// idempotent); present but malformed, or sent twice, gives false and the error.
    /// </summary>
    public static bool TryParse(
        StringValues header, out IdempotencyKey? key, [NotNullWhen(false)] out FieldError? error)
    {
        key = null;
        error = null;
        switch (header.Count)
        {
            case 0:
                return true;
            case > 1:
                error = new(HeaderName, $"send one {HeaderName} header, not {header.Count}");
                return false;
        }

        var value = header[0] ?? string.Empty;
        if (value.Length is 0 or > MaxLength || !value.All(c => c is >= '!' and <= '~'))
        {
            error = new(HeaderName, $"{HeaderName} must be 1 to {MaxLength} visible ASCII characters " +
                                    $"(no spaces), got {value.Length} characters; a UUID is a good key");
            return false;
        }

        key = new(value);
        return true;
    }

    /// <summary>
    /// The canonical JSON of <paramref name="input"/>: its properties in declaration order, defaults written out,
    /// no whitespace. Two bodies with the same meaning (keys reordered, defaults spelt out or left out, 3 vs 3.0)
    /// give the same bytes.
    /// </summary>
    public static byte[] CanonicalJson(GenerationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.SerializeToUtf8Bytes(input, CanonicalOptions);
    }

    /// <summary>
    /// Lower-case hex SHA-256 of <see cref="CanonicalJson"/>: stored with the generation, compared on replay.
    /// </summary>
    public static string HashInput(GenerationInput input) =>
        Convert.ToHexStringLower(SHA256.HashData(CanonicalJson(input)));

    /// <summary>
    /// The seed a request with this key and no <c>seed</c> gets: derived from the key, so a replay of the same body
    /// has the same input, the same hash and the same images.
    /// </summary>
    public long DeriveSeed()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes("glide-seed\n" + Value), hash);
        return (long)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)(GenerationInput.MaxSeed + 1));
    }

    public override string ToString() => Value;
}
