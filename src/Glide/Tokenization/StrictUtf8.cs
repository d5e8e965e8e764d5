using System.Text;

namespace Glide.Tokenization;

/// <summary>UTF-8 that throws on malformed input instead of substituting U+FFFD, as Python's codec does.</summary>
internal static class StrictUtf8
{
    public static UTF8Encoding Encoding { get; } =
        new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
