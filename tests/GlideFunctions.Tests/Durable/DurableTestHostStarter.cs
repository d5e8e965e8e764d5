using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace GlideFunctions.Tests.Durable;

/// <summary>
/// Starts a <see cref="DurableTaskTestHost"/> on a port that is free, trying another when the one picked is taken.
/// </summary>
/// <remarks>
/// Left to itself the host picks a random port in 30000-40000 without checking it, and that range overlaps Linux's
/// ephemeral ports (32768-60999), which every outgoing connection and every port-0 listener of a parallel test draws
/// from: now and then the bind fails with "address already in use". Ports here come from below the ephemeral range,
/// and a taken one is simply replaced.
/// </remarks>
internal static class DurableTestHostStarter
{
    private const int FirstPort = 20000;
    private const int EndPort = 32768;
    private const int Tries = 5;

    public static async Task<DurableTaskTestHost> StartAsync(
        Action<DurableTaskRegistry> configureRegistry, DurableTaskTestHostOptions options)
    {
        for (var attempt = 1; ; attempt++)
        {
            options.Port = Random.Shared.Next(FirstPort, EndPort);
            try
            {
                return await DurableTaskTestHost.StartAsync(configureRegistry, options);
            }
            catch (IOException failure) when (attempt < Tries && IsAddressInUse(failure))
            {
                // Another process or test holds the port: pick another.
            }
        }
    }

    private static bool IsAddressInUse(Exception failure)
    {
        for (Exception? inner = failure; inner is not null; inner = inner.InnerException)
        {
            if (inner.GetType().Name == "AddressInUseException"
                || inner.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
