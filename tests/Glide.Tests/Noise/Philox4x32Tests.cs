using Glide.Noise;

namespace Glide.Tests.Noise;

public sealed class Philox4x32Tests
{
    // The known-answer vectors of the Random123 distribution (its kat_vectors for philox4x32 with 10 rounds):
    // counter words, key words, output words. The third uses the leading hex digits of π.
    [Theory]
    [InlineData(
        new uint[] { 0, 0, 0, 0 },
        new uint[] { 0, 0 },
        new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 })]
    [InlineData(
        new uint[] { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff },
        new uint[] { 0xffffffff, 0xffffffff },
        new uint[] { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd })]
    [InlineData(
        new uint[] { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 },
        new uint[] { 0xa4093822, 0x299f31d0 },
        new uint[] { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 })]
    public void Matches_the_published_known_answers(uint[] counter, uint[] key, uint[] expected)
    {
        var output = new uint[4];

        Philox4x32.Generate(counter, key, output);
        var (x0, x1, x2, x3) = Philox4x32.Generate(counter[0], counter[1], counter[2], counter[3], key[0], key[1]);

        Assert.Equal(expected, output);
        Assert.Equal(expected, new[] { x0, x1, x2, x3 });
    }

    [Fact]
    public void Span_lengths_are_checked()
    {
        Assert.Throws<ArgumentException>(() => Philox4x32.Generate(new uint[3], new uint[2], new uint[4]));
        Assert.Throws<ArgumentException>(() => Philox4x32.Generate(new uint[4], new uint[1], new uint[4]));
        Assert.Throws<ArgumentException>(() => Philox4x32.Generate(new uint[4], new uint[2], new uint[5]));
    }
}
