using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Makes one signed delivery attempt and classifies the answer; the retry loop (durable timers between attempts) is
/// the caller's, which decides the next attempt from <see cref="WebhookDeliveryAttempt.Outcome"/> and
/// <see cref="WebhookRetrySchedule"/>.
/// </summary>
/// <remarks>
/// Give the <see cref="HttpClient"/> the handler from <see cref="CreatePrimaryHandler"/>: it never follows redirects
/// (a 3xx from a public receiver could otherwise point the request at an internal address) and checks each address
/// it connects to. Add no retrying handler to that client: retries belong to the durable schedule.
/// </remarks>
public sealed partial class WebhookSender
{
    private static readonly ProductInfoHeaderValue UserAgent = new("GlideFunctions-Webhooks", "1.0");
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly WebhookTargetPolicy _policy;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WebhookSender> _logger;

    public WebhookSender(
        HttpClient httpClient,
        WebhookTargetPolicy policy,
        IOptions<WebhookOptions> options,
        TimeProvider timeProvider,
        ILogger<WebhookSender> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _httpClient = httpClient;
        _policy = policy;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// The primary handler for the webhook <see cref="HttpClient"/> (register it through
    /// <c>ConfigurePrimaryHttpMessageHandler</c>): no redirects, no proxy (a proxy would hide the real target from the
    /// connect check), no cookies (nothing from one receiver may reach another), and <paramref name="policy"/> judging
    /// every address at connect time.
    /// </summary>
    public static SocketsHttpHandler CreatePrimaryHandler(WebhookTargetPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = (context, cancellationToken) =>
                policy.ConnectAsync(context.DnsEndPoint, cancellationToken),

            // Re-resolve (and so re-check) long-lived hosts now and then rather than trusting one pooled connection.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="target"/> once, signed with <paramref name="secret"/>.
    /// Caller cancellation throws; every other failure comes back as the attempt's outcome.
    /// </summary>
    /// <param name="target">The receiver's URL; the target policy judges it again before anything is sent.</param>
    /// <param name="webhookId">The message id: the same for every attempt of one message.</param>
    /// <param name="timestamp">
    /// The signing time of this attempt (the orchestration's current time), not the event's: receivers refuse
    /// timestamps more than a few minutes old, and retries run for up to an hour.
    /// </param>
    /// <param name="body">The exact bytes to sign and send (<see cref="WebhookPayload.ToUtf8Bytes"/>).</param>
    /// <param name="secret">The signing secret the receiver verifies with.</param>
    /// <param name="cancellationToken">The caller's token; the attempt timeout is applied on top of it.</param>
    public async Task<WebhookDeliveryAttempt> SendAsync(
        Uri target,
        string webhookId,
        DateTimeOffset timestamp,
        byte[] body,
        WebhookSecret secret,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(secret);
        var headers = WebhookSigner.CreateHeaders(webhookId, timestamp, body, secret);

        var attemptedAt = _timeProvider.GetUtcNow();
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        WebhookDeliveryAttempt attempt;
        try
        {
            var check = await _policy.CheckResolvedAsync(target, linked.Token).ConfigureAwait(false);
            if (!check.IsAllowed)
            {
                attempt = check.Verdict == WebhookTargetVerdict.Refused
                    ? Failed(WebhookFailureKind.TargetRefused, WebhookAttemptOutcome.GiveUp, check.Reason)
                    : Failed(WebhookFailureKind.NameResolution, WebhookAttemptOutcome.Retry, check.Reason);
            }
            else
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target)
                {
                    Content = new ByteArrayContent(body),
                };
                request.Content.Headers.ContentType = JsonMediaType;
                request.Headers.UserAgent.Add(UserAgent);
                request.Headers.Add(WebhookSigner.IdHeaderName, headers.Id);
                request.Headers.Add(WebhookSigner.TimestampHeaderName, headers.Timestamp);
                request.Headers.Add(WebhookSigner.SignatureHeaderName, headers.Signature);

                // Headers only: the receiver's body tells us nothing, and a hostile one could stream forever.
                using var response = await _httpClient
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token)
                    .ConfigureAwait(false);
                attempt = Answered(response);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our attempt timeout, or the client's own Timeout if it is the shorter.
            attempt = TimedOut();
        }
        catch (HttpRequestException failure) when (!cancellationToken.IsCancellationRequested)
        {
            attempt = timeout.IsCancellationRequested ? TimedOut() : Unsent(failure);
        }

        attempt = attempt with { AttemptedAt = attemptedAt, Elapsed = _timeProvider.GetElapsedTime(started) };
        Log(target, webhookId, attempt);
        return attempt;
    }

    private WebhookDeliveryAttempt Answered(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        return status switch
        {
            >= 200 and < 300 => new WebhookDeliveryAttempt
            {
                StatusCode = status,
                Outcome = WebhookAttemptOutcome.Delivered,
            },
            >= 300 and < 400 => Status(
                status,
                WebhookAttemptOutcome.GiveUp,
                $"the receiver answered {status}, a redirect; webhooks never follow redirects, so give the final URL"),
            (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500 => Status(
                status,
                WebhookAttemptOutcome.Retry,
                $"the receiver answered {status}") with { RetryAfter = RetryAfter(response) },
            _ => Status(
                status,
                WebhookAttemptOutcome.GiveUp,
                $"the receiver answered {status}; a retry would get the same answer"),
        };
    }

    private WebhookDeliveryAttempt TimedOut() => Failed(
        WebhookFailureKind.Timeout,
        WebhookAttemptOutcome.Retry,
        string.Create(
            CultureInfo.InvariantCulture, $"no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s"));

    private static WebhookDeliveryAttempt Unsent(HttpRequestException failure)
    {
        for (Exception? inner = failure; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case WebhookTargetRefusedException refused:
                    return Failed(WebhookFailureKind.TargetRefused, WebhookAttemptOutcome.GiveUp, refused.Message);
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } unresolved:
                    return Failed(WebhookFailureKind.NameResolution, WebhookAttemptOutcome.Retry, unresolved.Message);
            }
        }

        return Failed(WebhookFailureKind.Connection, WebhookAttemptOutcome.Retry, failure.Message);
    }

    // Either form of the header (RFC 9110 §10.2.3); a date in the past means "now"; the cap keeps a receiver from
    // parking a message beyond the retry window.
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date - _timeProvider.GetUtcNow());
        if (delay is not { } value)
        {
            return null;
        }

        return value < TimeSpan.Zero ? TimeSpan.Zero
            : value > _options.MaxRetryDelay ? _options.MaxRetryDelay
            : value;
    }

    private static WebhookDeliveryAttempt Status(int status, WebhookAttemptOutcome outcome, string reason) => new()
    {
        AttemptedAt = default,
        Elapsed = default,
        StatusCode = status,
        Outcome = outcome,
        Reason = reason,
    };

    private static WebhookDeliveryAttempt Failed(
        WebhookFailureKind failure, WebhookAttemptOutcome outcome, string? reason) =>
        new()
        {
            Failure = failure,
            Outcome = outcome,
            Reason = reason,
        };

    // The host only: paths and query strings of webhook URLs often carry the receiver's own tokens.
    private void Log(Uri target, string webhookId, WebhookDeliveryAttempt attempt)
    {
        var result = attempt.StatusCode?.ToString(CultureInfo.InvariantCulture)
            ?? attempt.Failure?.ToString() ?? "none";
        var elapsedMs = (long)attempt.Elapsed.TotalMilliseconds;
        switch (attempt.Outcome)
        {
            case WebhookAttemptOutcome.Delivered:
                LogDelivered(_logger, webhookId, target.Host, result, elapsedMs);
                break;
            case WebhookAttemptOutcome.Retry:
                LogWillRetry(_logger, webhookId, target.Host, result, elapsedMs, attempt.RetryAfter, attempt.Reason);
                break;
            default:
                LogGaveUp(_logger, webhookId, target.Host, result, elapsedMs, attempt.Reason);
                break;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Webhook {WebhookId} delivered to {Host}: {Result} in {ElapsedMs} ms")]
    private static partial void LogDelivered(
        ILogger logger, string webhookId, string host, string result, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Webhook {WebhookId} to {Host} will be retried: {Result} in {ElapsedMs} ms, "
            + "Retry-After {RetryAfter}; {Reason}")]
    private static partial void LogWillRetry(
        ILogger logger,
        string webhookId,
        string host,
        string result,
        long elapsedMs,
        TimeSpan? retryAfter,
        string? reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Webhook {WebhookId} to {Host} given up: {Result} in {ElapsedMs} ms; {Reason}")]
    private static partial void LogGaveUp(
        ILogger logger, string webhookId, string host, string result, long elapsedMs, string? reason);
}
