using System.Globalization;
using System.Security.Cryptography;
using Glide.Imaging;
using Glide.Pipeline;
using static GlideFunctions.Api.GenerationFields;

namespace GlideFunctions.Api;

/// <summary>
/// The uploads of an inpainting request, from base64 text to <see cref="InpaintInputs"/>: base64 (optionally a
/// <c>data:image/png;base64,</c> URL) decoded within a size limit, then the core library's PNG intake
/// (<see cref="PngImageReader"/>: structure, CRCs, truncation, the declared size against the pixel limits before any
/// pixel is decoded) and its documented resize and mask rules (<see cref="InpaintInputs"/>, <see cref="InpaintMask"/>).
/// Every problem becomes a <see cref="FieldError"/> naming <c>image</c> or <c>mask</c>; nothing here throws for a
/// client's bytes.
/// </summary>
internal static class InpaintIntake
{
    private const string DataUrlPrefix = "data:image/png;base64,";

    /// <summary>Decodes and checks the uploads; null (after adding every problem to <paramref name="errors"/>) when
    /// any is unusable.</summary>
    /// <param name="image">The <c>image</c> field as sent.</param>
    /// <param name="mask">The <c>mask</c> field as sent, or null when <paramref name="keepTopRows"/> gives the mask.</param>
    /// <param name="invertMask">Read the mask with white as generate.</param>
    /// <param name="keepTopRows">The notebook's mask: the top rows kept (when <paramref name="mask"/> is null).</param>
    /// <param name="limits">Byte and pixel limits of each file.</param>
    /// <param name="errors">Receives the problems.</param>
    public static InpaintUpload? Read(
        string image, string? mask, bool invertMask, int? keepTopRows, ImageLimits limits, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(limits);
        var imageBytes = DecodeBase64(image, Image, limits.MaxBytes, errors);
        var maskBytes = mask is null ? null : DecodeBase64(mask, Mask, limits.MaxBytes, errors);
        var source = imageBytes is null ? null : ReadPng(imageBytes, Image, limits, errors);
        var maskImage = maskBytes is null ? null : ReadPng(maskBytes, Mask, limits, errors);
        if (source is null || (mask is not null && maskImage is null))
        {
            return null;
        }

        try
        {
            var mask64 = maskImage is not null
                ? InpaintMask.FromImage(maskImage, InpaintInputs.BaseSize, invertMask)
                : InpaintMask.KeepTopRows(keepTopRows ?? 0, InpaintInputs.BaseSize);
            return new InpaintUpload(
                InpaintInputs.Create(source, mask64), Sha256(imageBytes!), maskBytes is null ? null : Sha256(maskBytes));
        }
        catch (InvalidImageException e)
        {
            errors.Add(new(e.Field, e.Message));
            return null;
        }
    }

    private static byte[]? DecodeBase64(string value, string field, long maxBytes, List<FieldError> errors)
    {
        var text = value.AsSpan();
        if (text.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            if (!text.StartsWith(DataUrlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new(field, $"{field}: a data URL must start with '{DataUrlPrefix}' (PNG, base64-encoded)"));
                return null;
            }

            text = text[DataUrlPrefix.Length..];
        }

        if (text.IsWhiteSpace())
        {
            errors.Add(new(field, $"{field} is empty; send a PNG file, base64-encoded"));
            return null;
        }

        // Four characters carry three bytes: anything longer decodes to more than the limit (checked before decoding).
        var maxLength = 4 * ((maxBytes + 2) / 3);
        if (text.Length > maxLength)
        {
            errors.Add(FileTooLarge(field, maxBytes, $"{text.Length:N0} base64 characters"));
            return null;
        }

        var bytes = new byte[(text.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64Chars(text, bytes, out var written))
        {
            errors.Add(new(field, $"{field} is not valid base64: send the PNG file base64-encoded (RFC 4648 §4, the " +
                                  $"standard alphabet with '=' padding) or as a '{DataUrlPrefix}…' URL"));
            return null;
        }

        return bytes[..written];
    }

    /// <summary>The error for an upload over <paramref name="maxBytes"/>; <paramref name="size"/> says how large it
    /// was as sent (base64 characters, or bytes of a multipart file part).</summary>
    internal static FieldError FileTooLarge(string field, long maxBytes, FormattableString size) => new(
        field, string.Create(
            CultureInfo.InvariantCulture,
            $"{field} is larger than the limit of {maxBytes:N0} bytes for a file ({size.ToString(CultureInfo.InvariantCulture)})"));

    private static RgbImage? ReadPng(byte[] png, string field, ImageLimits limits, List<FieldError> errors)
    {
        try
        {
            return PngImageReader.Read(png, field, limits);
        }
        catch (InvalidImageException e)
        {
            errors.Add(new(e.Field, e.Message));
            return null;
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
