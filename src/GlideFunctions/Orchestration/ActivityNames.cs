namespace GlideFunctions.Orchestration;

/// <summary>The registered names of the generation activities, shared by the orchestrator and the registrations.</summary>
public static class ActivityNames
{
    public const string EncodeText = "EncodeText";
    public const string SampleBase = "SampleBase";
    public const string Upsample = "Upsample";
    public const string Rerank = "Rerank";

    /// <summary>The inpainting base stage (base-inpaint), in place of <see cref="SampleBase"/>.</summary>
    public const string InpaintBase = "InpaintBase";

    /// <summary>The inpainting upsampler (upsample-inpaint), in place of <see cref="Upsample"/>.</summary>
    public const string InpaintUpsample = "InpaintUpsample";
}
