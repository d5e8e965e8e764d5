using Glide.Tensors;

namespace Glide.Tests.Tensors;

public sealed class NpyWriterTests
{
    private static readonly Dictionary<string, NpyArray> Arrays = new()
    {
        ["float32"] = NpyArray.FromSingle([1.5f, -0f, float.MaxValue, float.Epsilon, 3, 4], 2, 3),
        ["float64"] = NpyArray.FromDouble([Math.E], 1),
        ["int64"] = NpyArray.FromInt64([long.MinValue, 0, long.MaxValue], 3),
        ["bool"] = NpyArray.FromBoolean([true, false, true, true], 2, 1, 2),
        ["scalar"] = NpyArray.FromSingle([0.25f]),
    };

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    [InlineData("int64")]
    [InlineData("bool")]
    [InlineData("scalar")]
    public void Round_trips_through_the_reader(string name)
    {
        var array = Arrays[name];
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        stream.Position = 0;

        var back = NpyReader.Read(stream, "memory");

        Assert.Equal(array.DType, back.DType);
        Assert.Equal(array.Shape, back.Shape);
        Assert.Equal(array.Data, back.Data);
    }

    [Fact]
    public void Writes_the_bytes_numpy_writes()
    {
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, NpyArray.FromSingle([1, 2, 3, 4, 5, -6.5f], 2, 3));

        var expected = NpyBytes.Build(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NpyBytes.Floats(1, 2, 3, 4, 5, -6.5f));
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Aligns_the_data_to_64_bytes()
    {
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, NpyArray.FromInt64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 11));

        Assert.Equal(0, (stream.Length - (11 * 8)) % 64);
    }
}
