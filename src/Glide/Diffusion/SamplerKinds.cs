namespace Glide.Diffusion;

/// <summary>The names a <see cref="SamplerKind"/> goes by in manifests, requests and on the command line.</summary>
public static class SamplerKinds
{
    public const string Ddim = "ddim";
    public const string Ancestral = "ancestral";

    public static IReadOnlyList<string> Names { get; } = [Ddim, Ancestral];

    /// <summary>The kind named <paramref name="name"/> (exactly, lower case), or false.</summary>
    public static bool TryParse(string? name, out SamplerKind kind)
    {
        switch (name)
        {
            case Ddim:
                kind = SamplerKind.Ddim;
                return true;
            case Ancestral:
                kind = SamplerKind.Ancestral;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <exception cref="ArgumentException">Neither <c>ddim</c> nor <c>ancestral</c>.</exception>
    public static SamplerKind Parse(string name) => TryParse(name, out var kind)
        ? kind
        : throw new ArgumentException($"sampler must be \"{Ddim}\" or \"{Ancestral}\", got \"{name}\"", nameof(name));

    public static string Name(SamplerKind kind) => kind switch
    {
        SamplerKind.Ddim => Ddim,
        SamplerKind.Ancestral => Ancestral,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sampler kind"),
    };
}
