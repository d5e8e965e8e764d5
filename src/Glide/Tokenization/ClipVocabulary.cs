namespace Glide.Tokenization;

/// <summary>
/// CLIP's 49,408-id vocabulary and merge table, built from <c>bpe_simple_vocab_16e6.txt</c> (Data/NOTICE.md) as
/// glide-spec §2.2 lays out: the 256 byte characters, the same with <c>&lt;/w&gt;</c>, the results of merges 1 … 48,894
/// in order, then <c>&lt;|startoftext|&gt;</c> and <c>&lt;|endoftext|&gt;</c>.
/// </summary>
/// <remarks>Port of <c>SimpleTokenizer.__init__</c> (glide_text2im/tokenizer/simple_tokenizer.py).</remarks>
internal sealed class ClipVocabulary
{
    public const string ResourceName = "bpe_simple_vocab_16e6.txt.gz";
    public const int MergeCount = 49152 - 256 - 2;
    public const int Size = 49408;
    public const string EndOfWord = "</w>";

    private ClipVocabulary(Dictionary<string, int> encoder, BpeMerger merger)
    {
        Encoder = encoder;
        Merger = merger;
    }

    /// <summary>Symbol → id, including the two special tokens.</summary>
    public IReadOnlyDictionary<string, int> Encoder { get; }

    public BpeMerger Merger { get; }

    public static ClipVocabulary Load() => Parse(EmbeddedData.ReadGzippedText(ResourceName));

    internal static ClipVocabulary Parse(string text)
    {
        // Line 0 is the "#version" header; merges 1 … 48,894 are used and the rest of the file is not.
        var lines = text.Split('\n');
        if (lines.Length <= MergeCount)
        {
            throw new InvalidDataException($"{ResourceName} has {lines.Length} lines; CLIP needs {MergeCount + 1}");
        }

        var merges = new (string Left, string Right)[MergeCount];
        for (var i = 0; i < MergeCount; i++)
        {
            var line = lines[i + 1];
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || line.IndexOf(' ', space + 1) >= 0)
            {
                throw new InvalidDataException($"{ResourceName} line {i + 2}: expected two symbols, got '{line}'");
            }

            merges[i] = (line[..space], line[(space + 1)..]);
        }

        var vocabulary = new List<string>(Size);
        foreach (var b in ByteUnicodeTable.Order)
        {
            vocabulary.Add(ByteUnicodeTable.ToChar(b).ToString());
        }

        vocabulary.AddRange(vocabulary.Select(symbol => symbol + EndOfWord).ToList());
        vocabulary.AddRange(merges.Select(merge => merge.Left + merge.Right));
        vocabulary.Add(ClipPreTokenizer.StartOfText);
        vocabulary.Add(ClipPreTokenizer.EndOfText);

        // dict(zip(vocab, range(len(vocab)))): a symbol listed twice keeps its last id.
        var encoder = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++)
        {
            encoder[vocabulary[id]] = id;
        }

        var table = new Dictionary<long, BpeMerge>(MergeCount);
        for (var rank = 0; rank < MergeCount; rank++)
        {
            var (left, right) = merges[rank];
            if (!encoder.TryGetValue(left, out var leftId) || !encoder.TryGetValue(right, out var rightId))
            {
                throw new InvalidDataException(
                    $"{ResourceName} merge {rank + 1} '{left} {right}' uses an unknown symbol");
            }

            // bpe_ranks = dict(zip(merges, range(...))): a repeated pair keeps its last rank.
            table[BpeMerger.Key(leftId, rightId)] = new BpeMerge(rank, encoder[left + right]);
        }

        return new ClipVocabulary(encoder, new BpeMerger(table));
    }
}
