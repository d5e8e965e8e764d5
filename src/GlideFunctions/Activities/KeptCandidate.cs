namespace GlideFunctions.Activities;

/// <summary>A candidate the rerank stage kept: its index among all candidates and its CLIP score.</summary>
public sealed record KeptCandidate(int Candidate, float Score);
