namespace Glide.Tokenization;

/// <summary>One BPE merge rule: its rank (lower merges first) and the vocabulary id of the merged symbol.</summary>
internal readonly record struct BpeMerge(int Rank, int Result)
{
    /// <summary>Stands for "no merge applies"; ranks above every real one.</summary>
    public static BpeMerge None { get; } = new(int.MaxValue, -1);
}
