namespace GlideFunctions.Api;

public static class GenerationStatusExtensions
{
    /// <summary>Succeeded, failed or canceled: nothing about the generation changes any more.</summary>
    public static bool IsTerminal(this GenerationStatus status) =>
        status is GenerationStatus.Succeeded or GenerationStatus.Failed or GenerationStatus.Canceled;
}
