using System.Collections.Concurrent;

namespace Glide.Tokenization;

/// <summary>
/// Per-piece BPE results, as the reference's <c>self.cache</c> keeps them; bounded so that a long-running host fed
/// arbitrary prompts does not grow without limit (past the bound, pieces are merged afresh each time).
/// </summary>
internal sealed class BpeCache
{
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, int[]> _entries = new(StringComparer.Ordinal);

    public int[] GetOrAdd(string piece, Func<string, int[]> encode)
    {
        if (_entries.TryGetValue(piece, out var ids))
        {
            return ids;
        }

        ids = encode(piece);
        if (_entries.Count < MaxEntries)
        {
            _entries.TryAdd(piece, ids);
        }

        return ids;
    }
}
