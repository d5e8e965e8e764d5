namespace GlideFunctions.Bench;

/// <summary>What one bench run measures and how often; see <see cref="BenchCommand"/> for the options.</summary>
internal sealed record BenchSettings
{
    public required string ModelDirectory { get; init; }

    public int Candidates { get; init; } = 4;

    public int ChunkSize { get; init; } = 2;

    public string BaseSteps { get; init; } = "25";

    public string UpsampleSteps { get; init; } = "fast27";

    public int Repeat { get; init; } = 3;

    public int Warmup { get; init; } = 1;

    public string? AzuritePath { get; init; }

    public string? JsonPath { get; init; }

    public string Prompt { get; init; } = "an oil painting of a corgi";

    public long Seed { get; init; } = 1234;

    /// <summary>
    /// Full-size base UNet step, batch 2 (one CFG image), seconds: README "Speed" table, ONNX Runtime 1.31 CPU on the
    /// project's 2-core development machine.
    /// </summary>
    public double FullBaseStepSeconds { get; init; } = 1.54;

    /// <summary>Full-size upsampler UNet step, batch 1, seconds: the same README table.</summary>
    public double FullUpsampleStepSeconds { get; init; } = 4.47;

    /// <summary>The default generation the full-size estimate is for (the API's and the notebook's defaults).</summary>
    public string FullBaseSteps { get; init; } = "100";

    public string FullUpsampleSteps { get; init; } = "fast27";
}
