namespace GlideFunctions.Orchestration;

/// <summary>The registered names of the generation activities, shared by the orchestrator and the registrations.</summary>
public static class ActivityNames
{
    public const string EncodeText = "EncodeText";
    public const string SampleBase = "SampleBase";
    public const string Upsample = "Upsample";
    public const string Rerank = "Rerank";
}
