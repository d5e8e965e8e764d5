namespace GlideFunctions.Activities;

/// <summary>The blobs one upsample wrote (the [1, 3, S, S] samples and the final PNG) and the seconds it took.</summary>
public sealed record UpsampleOutput(int Index, long Seed, string Upsampled, string Image, double Seconds);
