namespace GlideFunctions.Activities;

/// <summary>
/// The text stage's four blobs: base.text on [prompt, negative] (xf_proj [2, D], xf_out [2, W, T]) and
/// upsample.text on [prompt] (xf_proj [1, D], xf_out [1, W, T]).
/// </summary>
public sealed record TextBlobs(string BaseXfProj, string BaseXfOut, string UpsampleXfProj, string UpsampleXfOut);
