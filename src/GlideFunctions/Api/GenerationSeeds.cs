using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace GlideFunctions.Api;

/// <summary>Seeds for requests that name none: random once per HTTP create, or fixed by a generation id.</summary>
public static class GenerationSeeds
{
    /// <summary>A uniformly random seed in [0, <see cref="GenerationInput.MaxSeed"/>]. Never call from an orchestrator.</summary>
    public static long Random()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        return Reduce(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
    }

    /// <summary>
    /// A seed fixed by <paramref name="id"/>: a re-delivered queue message, which names the same id, gets the same
    /// seed and so the same input.
    /// </summary>
    public static long FromId(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("glide-seed\n" + id), hash);
        return Reduce(BinaryPrimitives.ReadUInt64LittleEndian(hash));
    }

    // The modulo bias is below 2^-10 for a 53-bit range: irrelevant for a seed.
    private static long Reduce(ulong value) => (long)(value % (ulong)(GenerationInput.MaxSeed + 1));
}
