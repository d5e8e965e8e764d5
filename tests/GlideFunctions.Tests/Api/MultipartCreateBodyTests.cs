using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class MultipartCreateBodyTests
{
    private const string Fields = """{"prompt": "a corgi", "seed": 7, "invert_mask": true}""";

    /// <summary>A multipart body as a client library writes it: its bytes and its Content-Type (with the boundary).</summary>
    internal static async Task<(byte[] Body, string ContentType)> FormAsync(params (string Name, byte[] Bytes, bool IsFile)[] parts)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, bytes, isFile) in parts)
        {
            var content = new ByteArrayContent(bytes);
            if (isFile)
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(content, name, $"{name}.png");
            }
            else
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                form.Add(content, name);
            }
        }

        return (await form.ReadAsByteArrayAsync(), form.Headers.ContentType!.ToString());
    }

    private static (string, byte[], bool) Request(string json) => ("request", Encoding.UTF8.GetBytes(json), false);

    private static (string, byte[], bool) File(string name, byte[] png) => (name, png, true);

    private static async Task<(ReadOnlyMemory<byte> Json, IReadOnlyList<FieldError> Errors)> ConvertAsync(
        GenerationParserOptions? options, params (string, byte[], bool)[] parts)
    {
        var (body, contentType) = await FormAsync(parts);
        Assert.True(MultipartCreateBody.IsMultipart(contentType));
        return await MultipartCreateBody.ToJsonAsync(
            contentType, body, options ?? GenerationParserOptions.Http, CancellationToken.None);
    }

    [Fact]
    public async Task Files_as_parts_parse_to_the_same_input_as_the_same_files_in_base64_json()
    {
        var source = UploadPngs.Source();
        var mask = UploadPngs.TopMask();

        var (json, errors) = await ConvertAsync(null, Request(Fields), File("image", source), File("mask", mask));

        Assert.Empty(errors);
        var fromParts = GenerationRequestParser.Parse(json);
        var fromJson = GenerationRequestParser.Parse(Encoding.UTF8.GetBytes(
            $$"""{"prompt": "a corgi", "seed": 7, "invert_mask": true, "image": "{{UploadPngs.Base64(source)}}", "mask": "{{UploadPngs.Base64(mask)}}"}"""));
        Assert.True(fromParts.IsValid, string.Join("; ", fromParts.Errors));
        Assert.True(fromJson.IsValid);
        Assert.Equal(JsonSerializer.Serialize(fromJson.Input), JsonSerializer.Serialize(fromParts.Input));
        Assert.NotNull(fromParts.Input.ImageSha256);
        Assert.NotNull(fromParts.Input.MaskSha256);
        Assert.Equal(fromJson.Inpaint!.Mask64.ToArray(), fromParts.Inpaint!.Mask64.ToArray());
    }

    [Fact]
    public async Task A_body_laid_out_as_curl_writes_it_converts()
    {
        // curl --form-string 'request={…}' -F image=@photo.png -F mask=@mask.png: a long dashed boundary, quoted
        // names, a filename and a Content-Type on each file part, CRLF line ends.
        const string Boundary = "------------------------82bcb5411ca4da26";
        var source = UploadPngs.Source();
        var mask = UploadPngs.TopMask();
        using var body = new MemoryStream();
        void Text(string text) => body.Write(Encoding.ASCII.GetBytes(text));
        Text($"--{Boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{Fields}\r\n");
        foreach (var (name, png) in new[] { ("image", source), ("mask", mask) })
        {
            Text($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.png\"\r\n");
            Text("Content-Type: image/png\r\n\r\n");
            body.Write(png);
            Text("\r\n");
        }

        Text($"--{Boundary}--\r\n");

        var (json, errors) = await MultipartCreateBody.ToJsonAsync(
            $"multipart/form-data; boundary={Boundary}", body.ToArray(), GenerationParserOptions.Http,
            CancellationToken.None);

        Assert.Empty(errors);
        var parsed = GenerationRequestParser.Parse(json);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(source)), parsed.Input.ImageSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(mask)), parsed.Input.MaskSha256);
        Assert.Equal(7, parsed.Input.Seed);
    }

    [Fact]
    public async Task Without_files_the_request_part_is_the_body_and_an_empty_object_still_takes_the_image()
    {
        var (plain, plainErrors) = await ConvertAsync(null, Request(Fields));
        Assert.Empty(plainErrors);
        Assert.Equal(Fields, Encoding.UTF8.GetString(plain.Span));

        // No field before the image: no leading comma, so the parser sees valid JSON and asks for the prompt and for
        // a mask (or keep_top_rows), as it would of {"image": "…"}.
        var (json, errors) = await ConvertAsync(null, Request(" { } \n"), File("image", UploadPngs.Source()));
        Assert.Empty(errors);
        var parsed = GenerationRequestParser.Parse(json);
        Assert.Equal([GenerationFields.Prompt, GenerationFields.Mask], parsed.Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object, got an array")]
    [InlineData("{\"prompt\": \"a\", \"promt\": \"b\"}", "promt")]
    public async Task What_is_wrong_inside_the_request_part_is_left_to_the_parser(string request, string phrase)
    {
        var (json, errors) = await ConvertAsync(null, Request(request), File("image", UploadPngs.Source()));

        Assert.Empty(errors);
        var parsed = GenerationRequestParser.Parse(json);
        Assert.False(parsed.IsValid);
        Assert.Contains(parsed.Errors, e => e.Message.Contains(phrase, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_upload_in_a_part_gets_the_intakes_field_error()
    {
        var (json, errors) = await ConvertAsync(
            null, Request(Fields), File("image", UploadPngs.Truncated()), File("mask", UploadPngs.TopMask()));

        Assert.Empty(errors);
        var parsed = GenerationRequestParser.Parse(json);
        Assert.Equal([GenerationFields.Image], parsed.Errors.Select(e => e.Field));
    }

    [Fact]
    public async Task Framing_problems_are_field_errors_that_say_what_to_send()
    {
        var png = UploadPngs.Source();

        await AssertRefused("$", "no 'request' part", File("image", png));
        await AssertRefused("$", "unknown part 'prompt'", Request(Fields), ("prompt", "a corgi"u8.ToArray(), false));
        await AssertRefused("image", "more than one 'image' part", Request(Fields), File("image", png), File("image", png));
        await AssertRefused("$", "more than one 'request' part", Request(Fields), Request(Fields));
        await AssertRefused(
            "image", "image is sent twice",
            Request($$"""{"prompt": "a corgi", "image": "{{UploadPngs.Base64(png)}}"}"""), File("image", png));

        // A file over the per-file limit is refused before it is encoded; so is a body over the body limit.
        var small = GenerationParserOptions.Http with
        {
            ImageLimits = GenerationParserOptions.Http.ImageLimits with { MaxBytes = png.Length - 1 },
        };
        var (_, tooLarge) = await ConvertAsync(small, Request(Fields), File("mask", UploadPngs.TopMask()), File("image", png));
        Assert.Equal(["image"], tooLarge.Select(e => e.Field));
        Assert.Contains("larger than the limit", tooLarge[0].Message, StringComparison.Ordinal);

        var (body, contentType) = await FormAsync(Request(Fields), File("image", png));
        var (_, overBody) = await MultipartCreateBody.ToJsonAsync(
            contentType, body, GenerationParserOptions.Http with { MaxBodyBytes = body.Length - 1 }, CancellationToken.None);
        Assert.Contains("the body is larger than the limit", Assert.Single(overBody).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_body_or_a_missing_boundary_is_a_400_not_an_exception()
    {
        var (body, contentType) = await FormAsync(Request(Fields), File("image", UploadPngs.Source()));

        foreach (var (bytes, type, phrase) in new[]
        {
            (body[..(body.Length / 4)], contentType, "cut short"),
            (body[..(body.Length / 2)], contentType, "cut short"),
            (body[..^4], contentType, "cut short"),
            ("just text"u8.ToArray(), contentType, "cut short"),
            (Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"request\"\r\n{}\r\n--b--"),
                "multipart/form-data; boundary=b", "malformed"),
            (body, "multipart/form-data", "needs a boundary"),
            (body, $"multipart/form-data; boundary={new string('b', 71)}", "needs a boundary"),
            (Encoding.ASCII.GetBytes(
                "--b\r\nContent-Disposition: attachment; name=\"request\"\r\n\r\n{}\r\n--b--\r\n"),
                "multipart/form-data; boundary=b", "Content-Disposition: form-data"),
        })
        {
            var (json, errors) = await MultipartCreateBody.ToJsonAsync(
                type, bytes, GenerationParserOptions.Http, CancellationToken.None);
            Assert.True(json.IsEmpty);
            var error = Assert.Single(errors);
            Assert.Equal(FieldError.Body, error.Field);
            Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=x", true)]
    [InlineData("Multipart/Form-Data", true)]
    [InlineData("application/json", false)]
    [InlineData("multipart/mixed; boundary=x", false)]
    [InlineData(null, false)]
    [InlineData("", false)]
    public void Only_multipart_form_data_counts_as_multipart(string? contentType, bool expected) =>
        Assert.Equal(expected, MultipartCreateBody.IsMultipart(contentType));

    private static async Task AssertRefused(string field, string phrase, params (string, byte[], bool)[] parts)
    {
        var (json, errors) = await ConvertAsync(null, parts);
        Assert.True(json.IsEmpty);
        Assert.Contains(errors, e => e.Field == field && e.Message.Contains(phrase, StringComparison.Ordinal));
    }
}
