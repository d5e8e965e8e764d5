using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using static GlideFunctions.Api.GenerationFields;

namespace GlideFunctions.Api;

/// <summary>
/// A create request sent as <c>multipart/form-data</c> (RFC 7578, what <c>curl -F</c> writes), so that an inpainting
/// client can upload its PNG files as they are: a <c>request</c> part holding the JSON body without its uploads, and
/// file parts <c>image</c> and <c>mask</c>. It becomes the JSON body <see cref="GenerationRequestParser"/> reads — each
/// file base64-encoded into its field, spliced into the request object with the object's own bytes untouched — so both
/// forms are checked by the same rules, decode to the same inputs and give the same idempotency fingerprint.
/// </summary>
/// <remarks>
/// Problems with the multipart framing itself (no boundary, a body cut short, a part that is not <c>form-data</c>, an
/// unknown or repeated part, a missing <c>request</c> part, a file over the size limit, a file sent both as a part and
/// in the JSON) are field errors here; everything inside the request JSON and the files is left to the parser and its
/// PNG intake.
/// </remarks>
public static class MultipartCreateBody
{
    /// <summary>The part that holds the JSON fields.</summary>
    public const string RequestPart = "request";

    private const string FormData = "form-data";
    private const int MaxBoundaryLength = 70; // RFC 2046 §5.1.1
    private const int MaxHeadersLength = 16 * 1024;
    private const int MaxHeadersCount = 16;

    private static readonly string Expected =
        $"send the JSON fields as a '{RequestPart}' part and the PNG files as '{Image}' and '{Mask}' parts, e.g. " +
        $"curl --form-string '{RequestPart}={{\"prompt\": \"a corgi\"}}' -F {Image}=@photo.png -F {Mask}=@mask.png";

    /// <summary>Whether <paramref name="contentType"/> is <c>multipart/form-data</c> (any parameters).</summary>
    public static bool IsMultipart(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The JSON create body the multipart <paramref name="body"/> stands for, or (with an empty body) every problem
    /// with its framing.
    /// </summary>
    /// <param name="contentType">The request's <c>Content-Type</c>, <c>multipart/form-data; boundary=…</c>.</param>
    /// <param name="body">The body as <see cref="RequestBodyReader"/> read it (at most the limit + 1 bytes).</param>
    /// <param name="options">The body and file size limits.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<(ReadOnlyMemory<byte> Json, IReadOnlyList<FieldError> Errors)> ToJsonAsync(
        string? contentType, ReadOnlyMemory<byte> body, GenerationParserOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (body.Length > options.MaxBodyBytes)
        {
            return Fail(FieldError.Body, GenerationRequestParser.BodyTooLarge(options.MaxBodyBytes));
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) ||
            HeaderUtilities.RemoveQuotes(media.Boundary) is not { Length: > 0 and <= MaxBoundaryLength } boundary)
        {
            return Fail(FieldError.Body, string.Create(
                CultureInfo.InvariantCulture,
                $"a multipart/form-data body needs a boundary parameter of 1 to {MaxBoundaryLength} characters in " +
                $"its Content-Type (clients such as curl -F add it themselves)"));
        }

        // A body cut short can end inside a part's headers, which the reader hands over as they are: without the close
        // delimiter (RFC 2046 §5.1.1: CRLF "--" boundary "--") it is incomplete whatever its parts look like.
        if (body.Span.IndexOf(Encoding.ASCII.GetBytes($"\r\n--{boundary}--")) < 0)
        {
            return Fail(FieldError.Body, $"the multipart body is cut short: it has no closing '--{boundary}--' line");
        }

        var parts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        try
        {
            await ReadPartsAsync(boundary.ToString(), body, options, parts, errors, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return Fail(FieldError.Body, $"the multipart body is malformed ({e.Message}); {Expected}");
        }

        if (errors.Count == 0 && !parts.ContainsKey(RequestPart))
        {
            errors.Add(new(FieldError.Body, $"the multipart body has no '{RequestPart}' part; {Expected}"));
        }

        return errors.Count > 0 ? (ReadOnlyMemory<byte>.Empty, errors) : Splice(parts, errors);
    }

    private static async Task ReadPartsAsync(
        string boundary, ReadOnlyMemory<byte> body, GenerationParserOptions options, Dictionary<string, byte[]> parts,
        List<FieldError> errors, CancellationToken cancellationToken)
    {
        // The body is the reader's buffer (array-backed): read it in place rather than copying up to 24 MiB.
        using var stream = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        var reader = new MultipartReader(boundary, stream)
        {
            HeadersCountLimit = MaxHeadersCount,
            HeadersLengthLimit = MaxHeadersLength,
            BodyLengthLimit = options.MaxBodyBytes,
        };
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                !disposition.DispositionType.Equals(FormData, StringComparison.OrdinalIgnoreCase) ||
                HeaderUtilities.RemoveQuotes(disposition.Name) is not { Length: > 0 } quotedName)
            {
                errors.Add(new(FieldError.Body,
                    $"every part needs a 'Content-Disposition: form-data; name=\"…\"' header; {Expected}"));
                return;
            }

            var name = quotedName.ToString();
            if (name is not (RequestPart or Image or Mask))
            {
                errors.Add(new(FieldError.Body, $"the multipart body has an unknown part '{name}'; {Expected}"));
                continue;
            }

            using var content = new MemoryStream();
            await section.Body.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            if (!parts.TryAdd(name, content.ToArray()))
            {
                errors.Add(new(name is RequestPart ? FieldError.Body : name,
                    $"the multipart body has more than one '{name}' part; send each part once"));
            }
            else if (name is not RequestPart && content.Length > options.ImageLimits.MaxBytes)
            {
                errors.Add(InpaintIntake.FileTooLarge(name, options.ImageLimits.MaxBytes, $"{content.Length:N0} bytes"));
            }
        }
    }

    // The request object with ,"image":"<base64>" (and the mask) added before its closing brace. A request part that
    // is not a JSON object goes to the parser as it is, which says what is wrong with it.
    private static (ReadOnlyMemory<byte> Json, IReadOnlyList<FieldError> Errors) Splice(
        Dictionary<string, byte[]> parts, List<FieldError> errors)
    {
        var request = parts[RequestPart].AsMemory();
        if (request.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            request = request[Encoding.UTF8.Preamble.Length..];
        }

        var files = new[] { Image, Mask }.Where(parts.ContainsKey).ToList();
        if (files.Count == 0 || !Utf8.IsValid(request.Span))
        {
            return (request, errors);
        }

        bool hasFields;
        try
        {
            using var document = JsonDocument.Parse(request);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (request, errors);
            }

            var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            hasFields = names.Count > 0;
            errors.AddRange(files.Where(names.Contains).Select(file => new FieldError(
                file, $"{file} is sent twice, as a file part and in the '{RequestPart}' JSON; send it once")));
        }
        catch (JsonException)
        {
            return (request, errors);
        }

        if (errors.Count > 0)
        {
            return (ReadOnlyMemory<byte>.Empty, errors);
        }

        var json = request.Span.TrimEnd(" \t\r\n"u8);
        using var spliced = new MemoryStream(json.Length + files.Sum(f => 16 + (4 * ((parts[f].Length + 2) / 3))));
        spliced.Write(json[..^1]); // all but the closing brace
        foreach (var file in files)
        {
            spliced.Write(Encoding.UTF8.GetBytes($"{(hasFields ? "," : string.Empty)}\"{file}\":\""));
            var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(parts[file].Length)];
            Base64.EncodeToUtf8(parts[file], encoded, out _, out var written);
            spliced.Write(encoded, 0, written);
            spliced.Write("\""u8);
            hasFields = true;
        }

        spliced.Write("}"u8);
        return (spliced.GetBuffer().AsMemory(0, (int)spliced.Length), errors);
    }

    private static (ReadOnlyMemory<byte> Json, IReadOnlyList<FieldError> Errors) Fail(string field, string message) =>
        (ReadOnlyMemory<byte>.Empty, [new FieldError(field, message)]);
}
