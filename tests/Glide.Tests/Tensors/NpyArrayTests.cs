using Glide.Tensors;

namespace Glide.Tests.Tensors;

public sealed class NpyArrayTests
{
    [Fact]
    public void Rejects_a_buffer_that_does_not_fill_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => NpyArray.FromSingle([1, 2, 3], 2, 2));

        Assert.Contains("shape (2, 2) holds 4 elements but the buffer has 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_access_names_the_actual_dtype()
    {
        var array = NpyArray.FromInt64([1], 1);

        var error = Assert.Throws<InvalidOperationException>(() => array.AsSingle());

        Assert.Equal("array is Int64, not Float32", error.Message);
    }

    [Fact]
    public void Copies_the_shape_it_is_given()
    {
        int[] shape = [2, 1];
        var array = NpyArray.FromBoolean([true, false], shape);
        shape[0] = 99;

        Assert.Equal([2, 1], array.Shape);
        Assert.Equal([2L, 1L], array.GetLongShape());
        Assert.Equal("(2, 1)", array.FormatShape());
    }
}
