namespace GlideFunctions.Activities;

public sealed record EncodeTextInput(string RunId, string Prompt, string? NegativePrompt);
