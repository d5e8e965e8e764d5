namespace GlideFunctions.Activities;

/// <summary>What the text stage wrote, and the seconds it took.</summary>
public sealed record EncodeTextOutput(TextBlobs Text, double Seconds);
