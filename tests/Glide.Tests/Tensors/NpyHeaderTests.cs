using Glide.Tensors;

namespace Glide.Tests.Tensors;

public sealed class NpyHeaderTests
{
    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new[] { 2, 3 })]
    [InlineData("{'shape': (5,), 'fortran_order': False, 'descr': '<f4'}", new[] { 5 })]
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": ()}", new int[0])]
    [InlineData("{'descr':'<f4','fortran_order':False,'shape':(4L, 1L)}", new[] { 4, 1 })]
    public void Parses_the_dictionary_numpy_writes(string text, int[] shape)
    {
        var header = NpyHeader.Parse(text + "   \n", "x.npy");

        Assert.Equal("<f4", header.Descr);
        Assert.False(header.FortranOrder);
        Assert.Equal(shape, header.Shape);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "key 'shape' is missing")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", "structured dtypes")]
    [InlineData("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1,)}", "expected True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", "too large")]
    [InlineData("['descr']", "expected '{'")]
    public void Rejects_malformed_headers_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<NpyFormatException>(() => NpyHeader.Parse(text + "\n", "bad.npy"));

        Assert.StartsWith("bad.npy: header ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_a_header_that_parses_back()
    {
        var header = new NpyHeader("<i8", FortranOrder: false, [7]);

        var text = header.Format();

        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (7,), }", text);
        Assert.Equal([7], NpyHeader.Parse(text, "x").Shape);
    }
}
