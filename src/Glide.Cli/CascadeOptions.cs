using System.CommandLine;
using Glide.Models;

namespace Glide.Cli;

/// <summary>The options <c>generate</c> and <c>inpaint</c> both take, defined once so their help and parsing agree.
/// </summary>
internal static class CascadeOptions
{
    public static Option<string?> NegativePrompt() =>
        new("--negative-prompt") { Description = "Steer away from this (replaces the empty unconditional prompt)." };

    public static Option<int> Count() =>
        new("--count", "-n") { Description = "Number of images.", DefaultValueFactory = _ => 1 };

    public static Option<long> Seed() =>
        new("--seed") { Description = "Seed of the first image; image k uses seed + k.", DefaultValueFactory = _ => 0 };

    /// <summary><c>--device cpu|cuda</c>; read it with <see cref="DeviceOf"/>.</summary>
    public static Option<string> Device()
    {
        var device = new Option<string>("--device")
        {
            Description = "cpu or cuda (falls back to cpu when CUDA cannot load).",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        return device;
    }

    /// <summary>The device a <see cref="Device"/> option asks for.</summary>
    public static ExecutionDevice DeviceOf(ParseResult parseResult, Option<string> device) =>
        parseResult.GetValue(device) == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu;
}
