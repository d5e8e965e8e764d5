using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Testing;
using Glide.Tests.Models.Runtime;
using Glide.Tokenization;
using Xunit.Abstractions;

namespace Glide.Tests.Pipeline;

/// <summary>
/// Reranking on the tiny CLIP against the PyTorch reference (tests/fixtures/rerank/clip-rerank.npz, written by the
/// exporter's fixtures): eight fixed 64×64 candidates scored at t = 0 against the first prompt of the CLIP tokenizer
/// vectors, three kept.
/// </summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class ClipRerankerTests(TinyModelSetFixture fixture, ITestOutputHelper output)
{
    // vectors/tokenizer_clip.json item 0; the fixture stores its tokens, which the first test checks.
    private const string Prompt = "an oil painting of a corgi";

    private static readonly Lazy<ClipTokenizer> Tokenizer = new(() => new ClipTokenizer());

    private static readonly Lazy<NpzArchive> Reference =
        new(() => NpzReader.Read(RepoRoot.Combine("tests", "fixtures", "rerank", "clip-rerank.npz")));

    private static float[] Candidates => Reference.Value["candidates"].AsSingle();

    private static int Count => Reference.Value["candidates"].Shape[0];

    private ClipReranker Reranker() => ClipReranker.Create(fixture.Set, Tokenizer.Value);

    [Fact]
    public void The_prompt_tokenizes_as_the_reference_did()
    {
        var (tokens, length) = ClipTokenizer.PadAndLength(Tokenizer.Value.Encode(Prompt));

        Assert.Equal(Reference.Value["tokens"].AsInt64(), tokens);
        Assert.Equal(Reference.Value["text_len"].AsInt64(), new long[] { length });
    }

    [Fact]
    public void Embeddings_at_t0_match_pytorch()
    {
        var reference = Reference.Value;
        var text = Reranker().EncodePrompt(Prompt);
        var image = fixture.Set.ClipImage!.Encode(Candidates, new long[Count]);

        output.WriteLine($"text_emb max |Δ| {MaxError(reference["text_emb"].AsSingle(), text):G3}");
        output.WriteLine($"image_emb max |Δ| {MaxError(reference["image_emb"].AsSingle(), image):G3}");
        Assert.Equal(new long[Count], reference["timesteps"].AsInt64());
        RuntimeAssert.Close(reference["text_emb"].AsSingle(), text, 1e-4, "clip.text text_emb");
        RuntimeAssert.Close(reference["image_emb"].AsSingle(), image, 1e-4, "clip.image image_emb at t = 0");
    }

    [Fact]
    public void Scores_match_pytorch_and_the_reference_candidates_are_kept()
    {
        var reference = Reference.Value;
        var keep = (int)reference["keep"].AsInt64()[0];

        var result = Reranker().Rerank(Prompt, Candidates, Count, keep);

        var scores = result.Candidates.Select(c => c.Score).ToArray();
        output.WriteLine($"scores max |Δ| {MaxError(reference["scores"].AsSingle(), scores):G3}");
        output.WriteLine($"kept {string.Join(", ", result.Kept)}; reference {string.Join(", ", reference["kept"].AsInt64())}");
        RuntimeAssert.Close(reference["scores"].AsSingle(), scores, 1e-4, "scores");
        Assert.Equal(reference["kept"].AsInt64().Select(k => (int)k), result.Kept);
        var order = result.Candidates.OrderBy(c => c.Rank).Select(c => (long)c.Candidate);
        Assert.Equal(reference["order"].AsInt64(), order);
    }

    [Fact]
    public void A_candidate_scores_the_same_alone_as_in_a_batch()
    {
        var reranker = Reranker();
        var text = reranker.EncodePrompt(Prompt);
        var plane = 3 * 64 * 64;
        var all = reranker.Score(text, Candidates, Count);

        var alone = reranker.Score(text, Candidates.AsSpan(5 * plane, plane), 1);

        Assert.Equal(all[5], alone[0], 1e-6f);
    }

    [Fact]
    public void Progress_counts_the_candidates_scored_batch_by_batch()
    {
        var reranker = Reranker();
        var ten = Candidates.Concat(Candidates.AsSpan(0, 2 * 3 * 64 * 64).ToArray()).ToArray();
        var steps = new List<StageProgress>();

        reranker.Score(reranker.EncodePrompt(Prompt), ten, 10, new SynchronousProgress(steps.Add));

        Assert.Equal(
            [new(StageNames.Rerank, 0, 10), new(StageNames.Rerank, ClipReranker.BatchSize, 10), new(StageNames.Rerank, 10, 10)],
            steps);
    }

    [Fact]
    public void A_canceled_token_stops_before_the_first_batch()
    {
        var reranker = Reranker();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => reranker.Rerank(Prompt, Candidates, Count, 1, cancellationToken: cancel.Token));
    }

    [Fact]
    public void Candidates_of_the_wrong_length_give_expected_and_actual()
    {
        var reranker = Reranker();

        var error = Assert.Throws<ArgumentException>(() => reranker.Rerank(Prompt, new float[3 * 64 * 64], 2, 1));

        Assert.Equal("candidates", error.ParamName);
        Assert.StartsWith(
            "expected 2 candidates of [3, 64, 64] (24576 values), got 12288", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Keep_outside_the_candidates_is_refused(int keep)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Reranker().Rerank(Prompt, Candidates, Count, keep));

        Assert.Equal("keep", error.ParamName);
    }

    [Fact]
    public void A_model_set_without_clip_graphs_cannot_rerank()
    {
        using var set = TinyModelSetFixture.Load(TinyFixture.Directory, ExecutionDevice.Cpu, "base");

        var error = Assert.Throws<ModelManifestException>(() => ClipReranker.Create(set, Tokenizer.Value));

        Assert.Contains("no clip.text and clip.image graphs", error.Message, StringComparison.Ordinal);
    }

    private static double MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        }

        return worst;
    }
}
