using System.Text.Json;
using Glide.Testing;

namespace Glide.Tests.Tokenization;

/// <summary>
/// The reference tokenizer vectors (tests/fixtures/vectors, produced by glide_text2im's own tokenizers). Tests built
/// on them fail, never skip, when the files are missing.
/// </summary>
internal static class TokenizerVectors
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
    };

    private static readonly Lazy<GlideFile> GlideFileValue = new(() => Read<GlideFile>("tokenizer_glide.json"));
    private static readonly Lazy<ClipFile> ClipFileValue = new(() => Read<ClipFile>("tokenizer_clip.json"));

    public static IReadOnlyList<GlideVector> Glide => GlideFileValue.Value.Items;

    public static GlidePadding GlideUnconditional => GlideFileValue.Value.Uncond;

    public static IReadOnlyList<ClipVector> Clip => ClipFileValue.Value.Items;

    /// <summary>Case indices for <c>[MemberData]</c>: one test per prompt, named by its index.</summary>
    public static TheoryData<int> GlideIndices() => [.. Enumerable.Range(0, Glide.Count)];

    public static TheoryData<int> ClipIndices() => [.. Enumerable.Range(0, Clip.Count)];

    private static T Read<T>(string fileName)
    {
        var path = RepoRoot.Combine("tests", "fixtures", "vectors", fileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the tokenizer vectors are missing: {path} does not exist");
        }

        return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
            ?? throw new InvalidOperationException($"{path} is null");
    }

    internal sealed record GlideFile(GlidePadding Uncond, GlideVector[] Items);

    internal sealed record GlidePadding(long[] PaddedTokens, bool[] Mask);

    internal sealed record ClipFile(ClipVector[] Items);
}
