using System.Security.Cryptography;
using System.Text;
using GlideFunctions.Api;

namespace GlideFunctions.Queue;

/// <summary>The generation id of a queue message that names none.</summary>
public static class QueueGenerationIds
{
    private const string Prefix = "q-";

    /// <summary>
    /// <c>q-</c> and 128 bits of a hash of the storage message id: a message keeps its id across deliveries, so a
    /// re-delivered message maps to the generation its first delivery started. Hashing (rather than cleaning up the
    /// id) gives a valid generation id whatever the queue service hands out.
    /// </summary>
    /// <remarks>
    /// The message id does not survive a copy: a message re-sent from a poison queue by hand gets a new one, and so a
    /// new generation. Clients that need exactly-once across such copies send their own <c>id</c>.
    /// </remarks>
    public static string FromMessageId(string messageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("glide-queue-message\n" + messageId), hash);
        return Prefix + Base32.Encode(hash[..16]);
    }
}
