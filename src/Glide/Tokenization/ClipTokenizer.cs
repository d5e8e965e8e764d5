namespace Glide.Tokenization;

/// <summary>
/// The CLIP tokenizer that feeds the noised-CLIP text encoder (glide-spec §2.2): ftfy-style cleaning, Python
/// lowercasing, CLIP's split pattern and BPE with <c>&lt;/w&gt;</c> word ends; literal <c>&lt;|startoftext|&gt;</c>
/// and <c>&lt;|endoftext|&gt;</c> in the prompt are recognised as the special tokens.
/// </summary>
/// <remarks>
/// Port of <c>SimpleTokenizer.encode</c> / <c>SimpleTokenizer.bpe</c> and <c>padded_tokens_and_len</c>
/// (glide_text2im/tokenizer/simple_tokenizer.py). Thread-safe; loading the vocabulary takes a moment, so share one
/// instance.
/// </remarks>
public sealed class ClipTokenizer
{
    /// <summary>CLIP's text context (<c>max_text_len</c> in clip/config.yaml), start and end tokens included.</summary>
    public const int ContextLength = 77;

    /// <summary><c>&lt;|startoftext|&gt;</c>.</summary>
    public const int StartToken = 49406;

    /// <summary><c>&lt;|endoftext|&gt;</c>.</summary>
    public const int EndToken = 49407;

    /// <summary>Right padding: the id of "!", harmless behind the causal mask.</summary>
    public const int PadToken = 0;

    private readonly ClipVocabulary _vocabulary;
    private readonly BpeCache _cache = new();

    /// <summary>Loads CLIP's vocabulary from the assembly's embedded copy.</summary>
    public ClipTokenizer()
    {
        _vocabulary = ClipVocabulary.Load();
    }

    /// <summary>The token ids of <paramref name="text"/>, of any length and without start or end token.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var piece in ClipPreTokenizer.Split(ClipTextCleaner.Clean(text)))
        {
            ids.AddRange(_cache.GetOrAdd(piece, EncodePiece));
        }

        return [.. ids];
    }

    /// <summary>
    /// <c>[StartToken] + ids[:75] + [EndToken]</c>, right-padded with <see cref="PadToken"/> to
    /// <see cref="ContextLength"/>, and <c>text_len</c>: how many entries are not padding (2 for an empty prompt).
    /// </summary>
    public static (long[] Tokens, int TextLength) PadAndLength(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new long[ContextLength];
        var count = Math.Min(ids.Count, ContextLength - 2);
        tokens[0] = StartToken;
        for (var i = 0; i < count; i++)
        {
            tokens[i + 1] = ids[i];
        }

        tokens[count + 1] = EndToken;
        return (tokens, count + 2);
    }

    private int[] EncodePiece(string piece)
    {
        // The reference seeds its BPE cache with the two special strings, which is how they become single ids.
        if (piece == ClipPreTokenizer.StartOfText)
        {
            return [StartToken];
        }

        if (piece == ClipPreTokenizer.EndOfText)
        {
            return [EndToken];
        }

        var bytes = StrictUtf8.Encoding.GetBytes(piece);
        var encoder = _vocabulary.Encoder;
        var symbols = new List<int>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            var symbol = ByteUnicodeTable.ToChar(bytes[i]).ToString();
            symbols.Add(encoder[i == bytes.Length - 1 ? symbol + ClipVocabulary.EndOfWord : symbol]);
        }

        return [.. _vocabulary.Merger.Apply(symbols)];
    }
}
