namespace Glide.Pipeline;

/// <summary>One output image: 8-bit RGB, row-major [Height, Width, 3], with the seed that made it.</summary>
public sealed record GeneratedImage(int Index, long Seed, int Width, int Height, byte[] Rgb);
