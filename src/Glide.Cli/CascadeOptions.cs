using System.CommandLine;
using Glide.Diffusion;
using Glide.Models;

namespace Glide.Cli;

/// <summary>The options several cascade commands (<c>generate</c>, <c>inpaint</c>, <c>eval</c>) take, defined once so
/// their help and parsing agree.</summary>
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

    /// <summary><c>--upsample-sampler ddim|ancestral</c>, absent by default; read it with <see cref="UpsampleSamplerOf"/>.
    /// </summary>
    public static Option<string?> UpsampleSampler()
    {
        var sampler = new Option<string?>("--upsample-sampler")
        {
            Description = "Upsampler steps: ddim (eta 0, the notebook's) or ancestral (default: what the model's manifest " +
                          "names, ddim if none; the bundled glide-shapes model names ancestral).",
        };
        sampler.AcceptOnlyFromAmong([.. SamplerKinds.Names]);
        return sampler;
    }

    /// <summary>The sampler an <see cref="UpsampleSampler"/> option names, or null for the model's.</summary>
    public static SamplerKind? UpsampleSamplerOf(ParseResult parseResult, Option<string?> sampler) =>
        parseResult.GetValue(sampler) is { } name ? SamplerKinds.Parse(name) : null;

    /// <summary>The device a <see cref="Device"/> option asks for.</summary>
    public static ExecutionDevice DeviceOf(ParseResult parseResult, Option<string> device) =>
        parseResult.GetValue(device) == "cuda" ? ExecutionDevice.Cuda : ExecutionDevice.Cpu;
}
