namespace Glide.Tokenization;

/// <summary>
/// Byte-pair merging over vocabulary ids: repeatedly merge every occurrence of the adjacent pair with the lowest
/// merge rank until no adjacent pair has one. GPT-2 and CLIP differ only in their tables and initial symbols.
/// </summary>
/// <remarks>Port of <c>Encoder.bpe</c> (glide_text2im/tokenizer/bpe.py) and <c>SimpleTokenizer.bpe</c>
/// (simple_tokenizer.py), over ids instead of strings.</remarks>
internal sealed class BpeMerger
{
    private readonly Dictionary<long, BpeMerge> _merges;

    public BpeMerger(Dictionary<long, BpeMerge> merges)
    {
        _merges = merges;
    }

    public int Count => _merges.Count;

    /// <summary>The key of the pair (<paramref name="left"/>, <paramref name="right"/>) in the merge table.</summary>
    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Merges <paramref name="symbols"/> in place and returns it.</summary>
    public List<int> Apply(List<int> symbols)
    {
        while (symbols.Count > 1)
        {
            // Each pair has one rank, so the minimum is unique and the order of the scan does not matter.
            var best = BpeMerge.None;
            var bestLeft = 0;
            var bestRight = 0;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (_merges.TryGetValue(Key(symbols[i], symbols[i + 1]), out var merge) && merge.Rank < best.Rank)
                {
                    best = merge;
                    bestLeft = symbols[i];
                    bestRight = symbols[i + 1];
                }
            }

            if (best.Rank == BpeMerge.None.Rank)
            {
                break;
            }

            // Left to right, non-overlapping: "a a a" under (a, a) becomes "aa a", as the reference's scan does.
            var write = 0;
            for (var read = 0; read < symbols.Count; read++)
            {
                if (read + 1 < symbols.Count && symbols[read] == bestLeft && symbols[read + 1] == bestRight)
                {
                    symbols[write++] = best.Result;
                    read++;
                }
                else
                {
                    symbols[write++] = symbols[read];
                }
            }

            symbols.RemoveRange(write, symbols.Count - write);
        }

        return symbols;
    }
}
