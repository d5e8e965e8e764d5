using GlideFunctions.Api;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookEventFilterTests
{
    [Fact]
    public void No_filter_means_every_event()
    {
        Assert.True(WebhookEventFilter.TryParse(null, out var filter, out _));

        Assert.Same(WebhookEventFilter.All, filter);
        Assert.Equal([WebhookEventType.Start, WebhookEventType.Output, WebhookEventType.Completed], filter.Events);
        Assert.Equal(["start", "output", "completed"], filter.ToWireNames());
    }

    [Fact]
    public void A_filter_lets_through_only_the_events_it_names()
    {
        var filter = WebhookEventFilter.Parse(["completed"]);

        Assert.False(filter.Includes(WebhookEventType.Start));
        Assert.False(filter.Includes(WebhookEventType.Output));
        Assert.True(filter.Includes(WebhookEventType.Completed));
    }

    [Fact]
    public void Order_and_repeats_do_not_matter()
    {
        var filter = WebhookEventFilter.Parse(["completed", "output", "completed"]);

        Assert.Equal(WebhookEventFilter.Parse(["output", "completed"]), filter);
        Assert.Equal(["output", "completed"], filter.ToWireNames());
        Assert.Equal("output,completed", filter.ToString());
        Assert.Equal(WebhookEventFilter.All, WebhookEventFilter.Parse(["completed", "start", "output"]));
    }

    [Theory]
    [InlineData("finished", "unknown webhook event 'finished'")]
    [InlineData("Start", "unknown webhook event 'Start'")]
    [InlineData(" output", "unknown webhook event ' output'")]
    [InlineData("", "unknown webhook event ''")]
    [InlineData(null, "unknown webhook event null")]
    public void An_unknown_event_is_named_in_the_error(string? name, string expected)
    {
        Assert.False(WebhookEventFilter.TryParse(["start", name], out var filter, out var error));

        Assert.Null(filter);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.EndsWith("expected any of start, output, completed", error, StringComparison.Ordinal);
        Assert.Equal(error, Assert.Throws<FormatException>(() => WebhookEventFilter.Parse(["start", name])).Message);
    }

    [Fact]
    public void An_empty_filter_is_refused_rather_than_read_as_none()
    {
        Assert.False(WebhookEventFilter.TryParse([], out _, out var error));

        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WebhookEventType.Start, "start")]
    [InlineData(WebhookEventType.Output, "output")]
    [InlineData(WebhookEventType.Completed, "completed")]
    public void Wire_names_round_trip(WebhookEventType webhookEvent, string name)
    {
        Assert.Equal(name, webhookEvent.ToWireName());
        Assert.True(WebhookEventNames.TryParse(name, out var parsed));
        Assert.Equal(webhookEvent, parsed);
    }
}
