namespace Glide.Pipeline;

/// <summary>How the 64×64 base stage is steered towards the prompt (GLIDE's two guidance methods).</summary>
public enum GuidanceMode
{
    /// <summary>Classifier-free guidance (glide-spec §8.1, <see cref="BaseStage"/>): the default.</summary>
    ClassifierFree,

    /// <summary>
    /// CLIP guidance (glide-spec §8.4, <see cref="ClipGuidedBaseStage"/>): the noised CLIP's gradient shifts every
    /// step's mean; the guidance scale is the CLIP gradient scale. Needs the clip model's <c>clip.grad</c> graph.
    /// </summary>
    Clip,
}

/// <summary>The names of <see cref="GuidanceMode"/> on the command line and in the API: <c>cfg</c> and <c>clip</c>.</summary>
public static class GuidanceModeNames
{
    public const string ClassifierFree = "cfg";
    public const string Clip = "clip";

    /// <summary>The accepted names, default first.</summary>
    public static IReadOnlyList<string> All { get; } = [ClassifierFree, Clip];

    /// <exception cref="ArgumentException">Neither <c>cfg</c> nor <c>clip</c>.</exception>
    public static GuidanceMode Parse(string name) => name switch
    {
        ClassifierFree => GuidanceMode.ClassifierFree,
        Clip => GuidanceMode.Clip,
        _ => throw new ArgumentException($"guidance mode must be \"{ClassifierFree}\" or \"{Clip}\", got \"{name}\"", nameof(name)),
    };

    public static string ToName(GuidanceMode mode) => mode switch
    {
        GuidanceMode.ClassifierFree => ClassifierFree,
        GuidanceMode.Clip => Clip,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown guidance mode"),
    };
}
