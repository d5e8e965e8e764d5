using System.Security.Cryptography;
using System.Text;

namespace GlideFunctions.Api;

/// <summary>
/// Generation ids, which are also the Durable instance ids and the <c>runs/{id}/</c> blob prefix: ASCII letters,
/// digits, <c>-</c> and <c>_</c> only, so they need no escaping in a URL, a blob name or a storage table key.
/// </summary>
public static class GenerationIds
{
    /// <summary>Longest id, client-chosen queue ids included (the Durable Azure Storage backend allows 100).</summary>
    public const int MaxLength = 64;

    private const string Prefix = "g-";

    /// <summary>
    /// The id of the generation an <c>Idempotency-Key</c> names: a hash of the key, so that a retried create finds
    /// the instance the first attempt started without any lookup table.
    /// </summary>
    /// <remarks>
    /// Keys are not scoped to a caller (the function key is shared, not an identity), so two clients that pick the
    /// same key share a generation; clients should use random keys (UUIDs), as with every idempotency-key API.
    /// </remarks>
    public static string FromIdempotencyKey(IdempotencyKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes("glide-generation-id\n" + key.Value), hash);
        return Prefix + Base32.Encode(hash[..16]);
    }

    /// <summary>A fresh id for a create without an <c>Idempotency-Key</c>: 128 bits of a random GUID.</summary>
    /// <remarks>
    /// A GUID is fine here because this runs in the HTTP function, once per request, and the id is then handed to
    /// the orchestration as its instance id. Orchestrator code must not call this: a replay would draw another id.
    /// </remarks>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!Guid.NewGuid().TryWriteBytes(bytes))
        {
            throw new InvalidOperationException("a GUID did not fit in 16 bytes");
        }

        return Prefix + Base32.Encode(bytes);
    }

    /// <summary>
    /// Whether <paramref name="id"/> could name a generation: 1 to <see cref="MaxLength"/> ASCII letters, digits,
    /// <c>-</c> or <c>_</c>, starting with a letter or digit (as the run's blob prefix requires). A route id that
    /// fails this is simply not found.
    /// </summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
