using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask.Client;

namespace GlideFunctions.Tests.Queue;

/// <summary>
/// Plays the generations API for <c>glide-bulk</c> in-process: <c>GET /api/v1/generations/{id}</c> from the Durable
/// client (the generation object built as the orchestrator builds it) and <c>GET …/images/{k}</c> from the runs
/// container. With a key, every request must carry it in <c>x-functions-key</c>, as with function-level auth.
/// </summary>
internal sealed partial class GenerationsApiHandler(DurableTaskClient client, BlobTensorStore store, string? key)
    : HttpMessageHandler
{
    public ConcurrentQueue<string> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        Requests.Enqueue($"{request.Method} {path}");
        if (request.Method != HttpMethod.Get)
        {
            return new HttpResponseMessage(HttpStatusCode.MethodNotAllowed);
        }

        if (key is not null
            && (!request.Headers.TryGetValues("x-functions-key", out var keys) || !keys.SequenceEqual([key])))
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        if (ImageRoute().Match(path) is { Success: true } image)
        {
            var blob = RunBlobNames.Image(
                image.Groups["id"].Value, int.Parse(image.Groups["index"].Value, CultureInfo.InvariantCulture));
            try
            {
                await using var stream = await store.OpenReadAsync(blob, cancellationToken);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken);
                var content = new ByteArrayContent(buffer.ToArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            }
            catch (FileNotFoundException)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }
        }

        if (GenerationRoute().Match(path) is { Success: true } generation)
        {
            var metadata = await client.GetInstanceAsync(generation.Groups["id"].Value, getInputsAndOutputs: true, cancellationToken);
            if (metadata?.ReadInputAs<GenerationPlan>() is not { } plan)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            var resource = GenerationResourceBuilder.Build(
                plan, metadata.ReadCustomStatusAs<GenerationCustomStatus>(), progress: []);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(resource))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            };
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    [GeneratedRegex("^/api/v1/generations/(?<id>[A-Za-z0-9_-]+)$")]
    private static partial Regex GenerationRoute();

    [GeneratedRegex("^/api/v1/generations/(?<id>[A-Za-z0-9_-]+)/images/(?<index>[0-9]+)$")]
    private static partial Regex ImageRoute();
}
