using Azure.Storage.Queues;
using Xunit.Abstractions;

namespace GlideFunctions.Tests.Azurite;

/// <summary>The fixture's emulator answers the current storage SDKs on every service it claims to run.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task The_connection_string_reaches_the_blob_service()
    {
        output.WriteLine($"Azurite answered {azurite.StartupTime.TotalSeconds:0.00} s after it was launched");
        var container = azurite.NewContainer();

        await container.CreateAsync();
        await container.GetBlobClient("hello.txt").UploadAsync(BinaryData.FromString("hello"));
        var content = await container.GetBlobClient("hello.txt").DownloadContentAsync();

        Assert.Equal("hello", content.Value.Content.ToString());
    }

    [Fact]
    public async Task The_connection_string_reaches_the_queue_service()
    {
        var queue = new QueueClient(azurite.ConnectionString, $"q{Guid.NewGuid():N}");

        await queue.CreateAsync();
        await queue.SendMessageAsync("ping");
        var message = await queue.ReceiveMessageAsync();

        Assert.Equal("ping", message.Value.MessageText);
    }

    [Fact]
    public void The_services_listen_on_three_different_loopback_ports()
    {
        int[] ports = [azurite.BlobPort, azurite.QueuePort, azurite.TablePort];

        Assert.Equal(3, ports.Distinct().Count());
        Assert.Contains($"BlobEndpoint=http://127.0.0.1:{azurite.BlobPort}/devstoreaccount1;", azurite.ConnectionString,
            StringComparison.Ordinal);
        Assert.Contains($"QueueEndpoint=http://127.0.0.1:{azurite.QueuePort}/devstoreaccount1;", azurite.ConnectionString,
            StringComparison.Ordinal);
        Assert.Contains($"TableEndpoint=http://127.0.0.1:{azurite.TablePort}/devstoreaccount1;", azurite.ConnectionString,
            StringComparison.Ordinal);
    }

    [Fact]
    public void New_container_names_differ_and_are_valid_container_names()
    {
        var first = AzuriteFixture.NewContainerName();
        var second = AzuriteFixture.NewContainerName();

        Assert.NotEqual(first, second);
        Assert.Matches("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$", first);
    }
}
