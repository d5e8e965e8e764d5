using GlideFunctions.Webhooks;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookRetryScheduleTests
{
    private static readonly DateTimeOffset First = new(2030, 1, 2, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 43680621L)]
    [InlineData(2, 77205692L)]
    [InlineData(3, 120009287L)]
    [InlineData(8, 5154261486L)]
    [InlineData(12, 3323254349L)]
    public void Backoff_matches_golden_values(int attempt, long ticks)
    {
        // Computed independently (Python: SHA-256 of "gen_42/start\n{attempt}", top 53 bits, equal jitter over
        // min(5 s × 2^(attempt-1), 10 min)); any platform or process gives the same, as durable replay needs.
        Assert.Equal(TimeSpan.FromTicks(ticks), Schedule().Backoff("gen_42/start", attempt));
    }

    [Fact]
    public void The_same_inputs_always_give_the_same_time()
    {
        var now = First.AddSeconds(3);

        var first = Schedule().Next("gen_42/output/0", 2, First, now, null);
        var again = Schedule().Next("gen_42/output/0", 2, First, now, null);

        Assert.NotNull(first);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Different_messages_are_spread_apart()
    {
        var delays = Enumerable.Range(0, 50).Select(i => Schedule().Backoff($"gen_{i}/completed", 1)).ToHashSet();

        Assert.True(delays.Count > 45, $"only {delays.Count} distinct delays for 50 messages");
    }

    [Fact]
    public void Backoff_doubles_within_jitter_up_to_the_cap()
    {
        var options = new WebhookOptions();
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            var nominal = TimeSpan.FromTicks(Math.Min(
                options.InitialRetryDelay.Ticks * (long)Math.Pow(2, Math.Min(attempt - 1, 30)),
                options.MaxRetryDelay.Ticks));

            Assert.InRange(Schedule().Backoff("gen_1/start", attempt), nominal / 2, nominal);
        }
    }

    [Fact]
    public void Next_is_now_plus_the_backoff()
    {
        var now = First.AddSeconds(2);

        Assert.Equal(now + Schedule().Backoff("gen_7/start", 1), Schedule().Next("gen_7/start", 1, First, now, null));
    }

    [Fact]
    public void A_longer_retry_after_is_honoured()
    {
        var now = First.AddSeconds(1);

        Assert.Equal(now.AddSeconds(45), Schedule().Next("gen_7/start", 1, First, now, TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void A_shorter_retry_after_does_not_undercut_the_backoff()
    {
        var now = First.AddSeconds(1);

        Assert.Equal(
            now + Schedule().Backoff("gen_7/start", 3),
            Schedule().Next("gen_7/start", 3, First, now, TimeSpan.Zero));
    }

    [Fact]
    public void Retry_after_is_capped_by_the_longest_delay()
    {
        var now = First.AddSeconds(1);

        Assert.Equal(now.AddMinutes(10), Schedule().Next("gen_7/start", 1, First, now, TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Nothing_is_scheduled_past_the_window()
    {
        var schedule = Schedule();
        var backoff = schedule.Backoff("gen_7/start", 4);
        var lastMoment = First + TimeSpan.FromHours(1) - backoff;

        Assert.Equal(First + TimeSpan.FromHours(1), schedule.Next("gen_7/start", 4, First, lastMoment, null));
        Assert.Null(schedule.Next("gen_7/start", 4, First, lastMoment.AddTicks(1), null));
        Assert.Null(schedule.Next("gen_7/start", 1, First, First.AddMinutes(59), TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Gives_up_after_the_last_attempt()
    {
        var schedule = Schedule(new WebhookOptions { MaxAttempts = 3 });

        Assert.NotNull(schedule.Next("gen_7/start", 2, First, First.AddSeconds(10), null));
        Assert.Null(schedule.Next("gen_7/start", 3, First, First.AddSeconds(20), null));
    }

    [Theory]
    [InlineData("gen_8/completed")]
    [InlineData("gen_9/start")]
    [InlineData("gen_10/output/3")]
    public void With_the_defaults_the_window_ends_a_run_before_the_attempt_count(string webhookId)
    {
        var options = new WebhookOptions();
        var times = Run(Schedule(options), webhookId);

        Assert.InRange(times.Count, 13, 19);
        Assert.True(times.Zip(times.Skip(1)).All(pair => pair.Second > pair.First));
        var deadline = First + options.MaxRetryWindow;
        Assert.InRange(times[^1], deadline - options.MaxRetryDelay, deadline);
    }

    [Fact]
    public void A_short_window_cuts_the_run_short()
    {
        var options = new WebhookOptions { MaxRetryWindow = TimeSpan.FromMinutes(1) };
        var times = Run(Schedule(options), "gen_8/completed");

        Assert.InRange(times.Count, 2, options.MaxAttempts - 1);
        Assert.True(times[^1] <= First.AddMinutes(1));
    }

    [Fact]
    public void Attempts_count_from_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule().Next("m", 0, First, First, null));
    }

    // Every attempt fails at once and asks for nothing: the times the schedule alone produces.
    private static List<DateTimeOffset> Run(WebhookRetrySchedule schedule, string webhookId)
    {
        var times = new List<DateTimeOffset> { First };
        while (schedule.Next(webhookId, times.Count, First, times[^1], null) is { } next)
        {
            times.Add(next);
        }

        return times;
    }

    private static WebhookRetrySchedule Schedule(WebhookOptions? options = null) =>
        new(MsOptions.Create(options ?? new WebhookOptions()));
}
