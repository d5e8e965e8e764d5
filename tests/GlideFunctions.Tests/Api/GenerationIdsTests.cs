using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class GenerationIdsTests
{
    [Fact]
    public void An_idempotency_key_always_names_the_same_generation()
    {
        var id = GenerationIds.FromIdempotencyKey(Key("550e8400-e29b-41d4-a716-446655440000"));

        Assert.Equal(id, GenerationIds.FromIdempotencyKey(Key("550e8400-e29b-41d4-a716-446655440000")));
        Assert.NotEqual(id, GenerationIds.FromIdempotencyKey(Key("550e8400-e29b-41d4-a716-446655440001")));
        Assert.Matches("^g-[a-z2-7]{26}$", id);
        Assert.True(GenerationIds.IsValid(id));
    }

    [Fact]
    public void New_ids_are_distinct_and_shaped_like_key_ids()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => GenerationIds.New()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^g-[a-z2-7]{26}$", id));
    }

    [Theory]
    [InlineData("g-abc", true)]
    [InlineData("batch7_line-42", true)]
    [InlineData("A", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    [InlineData("a.b", false)]
    [InlineData("a b", false)]
    [InlineData("a?b", false)]
    [InlineData("a#b", false)]
    [InlineData("é", false)]
    [InlineData("-leading-dash", false)]
    [InlineData("_leading_underscore", false)]
    public void Ids_are_letters_digits_dashes_and_underscores(string? id, bool valid)
    {
        Assert.Equal(valid, GenerationIds.IsValid(id));
    }

    [Fact]
    public void Ids_are_at_most_64_characters()
    {
        Assert.True(GenerationIds.IsValid(new string('a', 64)));
        Assert.False(GenerationIds.IsValid(new string('a', 65)));
    }

    private static IdempotencyKey Key(string value)
    {
        Assert.True(IdempotencyKey.TryParse(value, out var key, out _));
        return key!;
    }
}
