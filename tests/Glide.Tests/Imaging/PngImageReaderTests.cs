using Glide.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Imaging;

/// <summary>
/// Uploaded PNGs: decoded to RGB as PIL's <c>convert("RGB")</c> would, and every unusable file (not a PNG, corrupt,
/// truncated, too large, a decompression bomb) refused with an <see cref="InvalidImageException"/> naming the input,
/// never another exception.
/// </summary>
public sealed class PngImageReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void DecodesRgbPixelsExactly()
    {
        var image = PngImageReader.Read(PngBytes.Rgb(), "image");
        Assert.Equal((7, 5), (image.Width, image.Height));
        Assert.Equal(new byte[] { 6 * 20, 4 * 30, 10 }, image.Pixels.Slice(3 * ((4 * 7) + 6), 3).ToArray());
    }

    [Fact]
    public void AlphaIsDroppedNotComposited()
    {
        using var rgba = new Image<Rgba32>(2, 1);
        rgba[0, 0] = new Rgba32(200, 100, 50, 0);
        rgba[1, 0] = new Rgba32(10, 20, 30, 128);
        var image = PngImageReader.Read(PngBytes.Encode(rgba, PngColorType.RgbWithAlpha), "image");
        Assert.Equal(new byte[] { 200, 100, 50, 10, 20, 30 }, image.Pixels.ToArray());
    }

    [Fact]
    public void GreyIsReplicatedAndPalettesLookedUp()
    {
        using var grey = new Image<L8>(2, 1);
        grey[0, 0] = new L8(7);
        grey[1, 0] = new L8(250);
        Assert.Equal(new byte[] { 7, 7, 7, 250, 250, 250 }, PngImageReader.Read(PngBytes.Encode(grey, PngColorType.Grayscale), "mask").Pixels.ToArray());

        using var colours = new Image<Rgb24>(2, 1);
        colours[0, 0] = new Rgb24(255, 0, 0);
        colours[1, 0] = new Rgb24(0, 0, 255);
        var palette = PngBytes.Encode(colours, PngColorType.Palette);
        Assert.Contains(PngBytes.Chunks(palette), c => c.Type == "PLTE");
        Assert.Equal(new byte[] { 255, 0, 0, 0, 0, 255 }, PngImageReader.Read(palette, "image").Pixels.ToArray());
    }

    [Fact]
    public void SixteenBitChannelsAreRoundedToEightBits()
    {
        using var deep = new Image<Rgb48>(1, 1);
        deep[0, 0] = new Rgb48(65535, 0x8080, 0);
        var image = PngImageReader.Read(PngBytes.Encode(deep, PngColorType.Rgb, PngBitDepth.Bit16), "image");
        Assert.Equal(new byte[] { 255, 128, 0 }, image.Pixels.ToArray());
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("jpeg")]
    [InlineData("text")]
    public void NotAPngIsRefused(string kind)
    {
        byte[] bytes = kind switch
        {
            "empty" => [],
            "jpeg" => [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0],
            _ => "hello, this is not an image"u8.ToArray(),
        };
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.Read(bytes, "image"));
        Assert.Equal("image", e.Field);
        Assert.StartsWith("image: ", e.Message);
        Assert.Contains(kind == "empty" ? "empty" : "not a PNG", e.Message);
        if (kind == "jpeg")
        {
            Assert.Contains("JPEG", e.Message);
        }
    }

    [Theory]
    [InlineData(4, "not a PNG")]      // inside the signature
    [InlineData(20, "truncated")]     // inside IHDR
    [InlineData(-12, "IEND")]         // IEND cut off: a decoder alone would accept this
    [InlineData(-20, "truncated")]    // inside the last IDAT
    [InlineData(-1, "truncated")]
    public void TruncatedFilesAreRefused(int cut, string needle)
    {
        var png = PngBytes.Rgb(40, 30);
        var length = cut > 0 ? cut : png.Length + cut;
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.Read(png.AsSpan(0, length), "mask"));
        Assert.Equal("mask", e.Field);
        Assert.Contains(needle, e.Message);
    }

    [Fact]
    public void ACorruptByteFailsTheCrc()
    {
        var png = PngBytes.Rgb(40, 30);
        png[png.Length / 2] ^= 0x5A;
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.Read(png, "image"));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void ADecompressionBombIsRefusedFromItsHeader()
    {
        // 100,000 × 100,000 RGB declared in a valid header, with a few bytes of image data: 30 GB if decoded.
        var bomb = PngBytes.Assemble(
        [
            ("IHDR", PngBytes.Header(100_000, 100_000)),
            ("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
            ("IEND", []),
        ]);
        Assert.True(bomb.Length < 100);
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.Read(bomb, "image"));
        Assert.Contains("100000×100000", e.Message);
        Assert.Contains("not decoded", e.Message);
    }

    [Fact]
    public void PixelAndSideLimitsAreConfigurable()
    {
        var png = PngBytes.Rgb(40, 30);
        Assert.Throws<InvalidImageException>(() => PngImageReader.Read(png, "image", new ImageLimits { MaxPixels = 1199 }));
        Assert.Throws<InvalidImageException>(() => PngImageReader.Read(png, "image", new ImageLimits { MaxSide = 39 }));
        Assert.Equal(40, PngImageReader.Read(png, "image", new ImageLimits { MaxPixels = 1200, MaxSide = 40 }).Width);
    }

    [Fact]
    public void OversizedFilesAreRefusedBeforeReading()
    {
        var png = PngBytes.Rgb(40, 30);
        var limits = new ImageLimits { MaxBytes = png.Length - 1 };
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.Read(png, "image", limits));
        Assert.Contains("limit", e.Message);

        var path = _temp.Combine("big.png");
        File.WriteAllBytes(path, png);
        e = Assert.Throws<InvalidImageException>(() => PngImageReader.ReadFile(path, "image", limits));
        Assert.Contains($"{png.Length:N0} bytes", e.Message);
        Assert.Equal(40, PngImageReader.ReadFile(path, "image").Width);
    }

    [Fact]
    public void AMissingFileIsAnInvalidImage()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngImageReader.ReadFile(_temp.Combine("nope.png"), "mask"));
        Assert.Contains("file not found", e.Message);
        Assert.Equal("mask", e.Field);
    }

    [Fact]
    public void StructuralErrorsAreNamed()
    {
        var chunks = PngBytes.Chunks(PngBytes.Rgb());
        var noData = PngBytes.Assemble(chunks.Where(c => c.Type != "IDAT"));
        Assert.Contains("IDAT", Assert.Throws<InvalidImageException>(() => PngImageReader.Read(noData, "image")).Message);

        var headerLast = PngBytes.Assemble(chunks.Skip(1).Prepend(("tEXt", "k\0v"u8.ToArray())).Append(chunks[0]));
        Assert.Contains("IHDR", Assert.Throws<InvalidImageException>(() => PngImageReader.Read(headerLast, "image")).Message);

        var zeroWidth = PngBytes.Assemble(chunks.Skip(1).Prepend(("IHDR", PngBytes.Header(0, 5))));
        Assert.Contains("0×5", Assert.Throws<InvalidImageException>(() => PngImageReader.Read(zeroWidth, "image")).Message);
    }

    [Fact]
    public void ValidStructureWithBrokenContentIsRefused()
    {
        // Chunks with correct CRCs around content the decoder must reject: a bad bit depth, and garbage pixel data.
        var chunks = PngBytes.Chunks(PngBytes.Rgb());
        var badDepth = PngBytes.Assemble(chunks.Skip(1).Prepend(("IHDR", PngBytes.Header(7, 5, bitDepth: 3))));
        Assert.Throws<InvalidImageException>(() => PngImageReader.Read(badDepth, "image"));

        var garbage = PngBytes.Assemble(chunks.Select(c => c.Type == "IDAT" ? (c.Type, new byte[] { 1, 2, 3, 4, 5 }) : c));
        Assert.Throws<InvalidImageException>(() => PngImageReader.Read(garbage, "image"));
    }

    [Fact]
    public void MutatedFilesNeverThrowAnythingElse()
    {
        // Random changes behind correct CRCs reach the decoder itself; each must decode or be an InvalidImageException.
        var random = new Random(6);
        var chunks = PngBytes.Chunks(PngBytes.Rgb(23, 17));
        for (var trial = 0; trial < 300; trial++)
        {
            var mutated = chunks.Select(c => (c.Type, (byte[])c.Data.Clone())).ToList();
            var target = mutated[random.Next(mutated.Count - 1)].Item2; // IHDR or IDAT (not IEND, which is empty)
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                target[random.Next(target.Length)] = (byte)random.Next(256);
            }

            var png = PngBytes.Assemble(mutated);
            try
            {
                var image = PngImageReader.Read(png, "image", new ImageLimits { MaxPixels = 1 << 20 });
                Assert.Equal(3 * image.Width * image.Height, image.Pixels.Length);
            }
            catch (InvalidImageException)
            {
                // refused with a message: fine
            }
        }
    }

    public void Dispose() => _temp.Dispose();
}
