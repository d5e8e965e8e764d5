using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GlideFunctions.Bulk;

/// <summary>
/// Reads generations and downloads their images from the service's HTTP API, with the function key when one is
/// given. The <see cref="HttpClient"/> is the caller's, so tests can answer through their own handler.
/// </summary>
internal sealed class GenerationStatusClient
{
    /// <summary>The header Azure Functions reads a function key from.</summary>
    public const string KeyHeader = "x-functions-key";

    private const int DownloadAttempts = 3;

    private readonly HttpClient _http;
    private readonly Uri _api;
    private readonly string? _key;

    /// <param name="http">The client to send with.</param>
    /// <param name="api">The API's base, e.g. <c>http://localhost:7071</c> (its path, if any, is kept).</param>
    /// <param name="key">The function key, sent as <see cref="KeyHeader"/> to the API's own origin only.</param>
    public GenerationStatusClient(HttpClient http, Uri api, string? key)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(api);
        _http = http;
        _api = api.AbsoluteUri.EndsWith('/') ? api : new Uri(api.AbsoluteUri + "/");
        _key = string.IsNullOrEmpty(key) ? null : key;
    }

    public Uri GenerationUri(string id) => new(_api, "api/v1/generations/" + Uri.EscapeDataString(id));

    /// <summary>
    /// The generation <paramref name="id"/>; <see cref="StatusReply.NotFound"/> when the service does not know it
    /// (yet); <see cref="StatusReply.Transient"/> for answers worth retrying (429, 5xx, a network error).
    /// </summary>
    /// <exception cref="BulkInputException">The API refuses the key (401, 403) or answers with nonsense.</exception>
    public async Task<StatusReply> GetAsync(string id, CancellationToken cancellationToken)
    {
        using var request = Request(GenerationUri(id));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return StatusReply.Transient($"{request.RequestUri}: {e.Message}", retryAfter: null);
        }

        using (response)
        {
            var retryAfter = RetryAfter(response.Headers.RetryAfter);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    RemoteGeneration? generation;
                    try
                    {
                        generation = await response.Content.ReadFromJsonAsync<RemoteGeneration>(cancellationToken)
                            .ConfigureAwait(false);
                    }
                    catch (JsonException e)
                    {
                        throw new BulkInputException(
                            $"{request.RequestUri} answered 200 with something other than a generation: {e.Message}; " +
                            "is --api the GLIDE service?", e);
                    }

                    return generation is null
                        ? throw new BulkInputException($"{request.RequestUri} answered 200 with an empty body")
                        : StatusReply.Found(generation, retryAfter);
                case HttpStatusCode.NotFound:
                    return StatusReply.NotFound(retryAfter);
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new BulkInputException(
                        $"{request.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase}: " +
                        (_key is null ? "the API needs a function key (--key)" : "the API refuses the --key given"));
                default:
                    return StatusReply.Transient(
                        $"{request.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase}", retryAfter);
            }
        }
    }

    /// <summary>
    /// Saves the image at <paramref name="url"/> (relative URLs are resolved against the API) as
    /// <paramref name="path"/>, replacing it; a partial download never takes the file's name.
    /// </summary>
    /// <exception cref="HttpRequestException">The image could not be downloaded, after retries for transient errors.</exception>
    public async Task DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        var uri = new Uri(_api, url);
        for (var attempt = 1; ; attempt++)
        {
            using var request = Request(uri);
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                    .ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException(
                        $"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
                }

                var partial = path + ".partial";
                var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
                return;
            }
            catch (HttpRequestException e) when (attempt < DownloadAttempts && IsTransient(e))
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(HttpRequestException e) =>
        e.StatusCode is null or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError;

    private HttpRequestMessage Request(Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);

        // The key goes to the API's own origin only, never to an image host elsewhere that an absolute URL names.
        if (_key is not null && Uri.Compare(uri, _api, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            request.Headers.Add(KeyHeader, _key);
        }

        return request;
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}

/// <summary>One answer of <see cref="GenerationStatusClient.GetAsync"/>.</summary>
internal sealed record StatusReply(RemoteGeneration? Generation, string? Problem, TimeSpan? RetryAfter)
{
    public static StatusReply Found(RemoteGeneration generation, TimeSpan? retryAfter) => new(generation, null, retryAfter);

    public static StatusReply NotFound(TimeSpan? retryAfter) => new(null, null, retryAfter);

    public static StatusReply Transient(string problem, TimeSpan? retryAfter) => new(null, problem, retryAfter);

    public override string ToString() => Generation?.Status ?? Problem ?? "not found";
}
