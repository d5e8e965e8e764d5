namespace GlideFunctions.Activities;

/// <summary>The base chunk blob one <c>SampleBase</c> wrote ([n, 3, 64, 64]), and the seconds it took.</summary>
public sealed record SampleBaseOutput(string Chunk, double Seconds);
