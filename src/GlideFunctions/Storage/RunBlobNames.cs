using System.Globalization;

namespace GlideFunctions.Storage;

/// <summary>
/// Where each stage of a run keeps its results in the runs container (design §1): <c>runs/{runId}/{stage}/…</c>.
/// Every name is a pure function of its arguments, so a retried activity or a re-run stage overwrites its own
/// blobs instead of adding new ones, and a run's blobs share one prefix that <see cref="RunPrefix"/> names.
/// </summary>
public static class RunBlobNames
{
    /// <summary>The longest run id accepted: room for a GUID in any format or a client's own id.</summary>
    public const int MaxRunIdLength = 64;

    /// <summary>The longest name accepted for a text-stage tensor (<see cref="Text"/>).</summary>
    public const int MaxTextNameLength = 64;

    private const string Root = "runs";

    /// <summary><c>runs/{runId}/</c>: every blob of the run and nothing of any other run starts with it.</summary>
    public static string RunPrefix(string runId) => $"{Root}/{RequireRunId(runId)}/";

    /// <summary>
    /// <c>runs/{runId}/text/{name}.npy</c>: one output of a text graph, e.g. <c>base.xf_proj</c> [2, D] or
    /// <c>upsample.xf_out</c> [1, W, 128].
    /// </summary>
    public static string Text(string runId, string name) => $"{RunPrefix(runId)}text/{RequireTextName(name)}.npy";

    /// <summary>
    /// <c>runs/{runId}/inputs/{tag}/{name}.npy</c>: one array of an inpainting request's decoded source and mask
    /// (<c>image64</c> [3, 64, 64], <c>mask64</c> [1, 64, 64], <c>image256</c> [3, 256, 256]), written before the run
    /// starts. <paramref name="tag"/> names the request the arrays belong to (from its input hash), so two creates
    /// racing for one id with different images cannot overwrite each other's inputs.
    /// </summary>
    public static string InpaintInput(string runId, string tag, string name) =>
        $"{RunPrefix(runId)}inputs/{RequireTextName(tag)}/{RequireTextName(name)}.npy";

    /// <summary><c>runs/{runId}/base/{chunk}.npy</c>: one chunk of 64×64 base samples, [N, 3, 64, 64] in [−1, 1].</summary>
    public static string BaseChunk(string runId, int chunk) =>
        $"{RunPrefix(runId)}base/{RequireIndex(chunk, nameof(chunk))}.npy";

    /// <summary><c>runs/{runId}/base/{index}.png</c>: the 64×64 preview of base candidate <paramref name="index"/>.</summary>
    public static string BasePreview(string runId, int index) =>
        $"{RunPrefix(runId)}base/{RequireIndex(index, nameof(index))}.png";

    /// <summary><c>runs/{runId}/rerank/scores.npy</c>: the noised-CLIP score of every base candidate, [N].</summary>
    public static string RerankScores(string runId) => $"{RunPrefix(runId)}rerank/scores.npy";

    /// <summary>
    /// <c>runs/{runId}/up/{index}.npy</c>: the 256×256 samples of upsample work item <paramref name="index"/> (one
    /// kept image or one chunk of them), [n, 3, 256, 256] in [−1, 1].
    /// </summary>
    public static string Upsampled(string runId, int index) =>
        $"{RunPrefix(runId)}up/{RequireIndex(index, nameof(index))}.npy";

    /// <summary><c>runs/{runId}/images/{index}.png</c>: final image <paramref name="index"/>, what clients download.</summary>
    public static string Image(string runId, int index) =>
        $"{RunPrefix(runId)}images/{RequireIndex(index, nameof(index))}.png";

    /// <summary>
    /// <c>runs/{runId}/progress/{stage}-{part}.json</c>: the step progress of one activity (a base chunk, an image),
    /// which the activity rewrites as it goes and the status endpoint reads.
    /// </summary>
    public static string Progress(string runId, string stage, int part) =>
        $"{ProgressPrefix(runId)}{RequireTextName(stage)}-{RequireIndex(part, nameof(part))}.json";

    /// <summary><c>runs/{runId}/progress/</c>: where <see cref="Progress"/> records live.</summary>
    public static string ProgressPrefix(string runId) => $"{RunPrefix(runId)}progress/";

    /// <summary>
    /// <c>runs/{runId}/cancel.json</c>: written when a client cancels; running activities watch for it and stop at
    /// their next step.
    /// </summary>
    public static string CancelRequest(string runId) => $"{RunPrefix(runId)}cancel.json";

    /// <summary>
    /// Whether <paramref name="runId"/> is 1 to <see cref="MaxRunIdLength"/> ASCII letters, digits, '-' or '_',
    /// starting with a letter or digit. No '/' or '.', so an id can neither leave nor span its prefix.
    /// </summary>
    public static bool IsValidRunId(string? runId) => IsValidSegment(runId, MaxRunIdLength, allowDots: false);

    /// <summary>Returns <paramref name="runId"/>, or throws an <see cref="ArgumentException"/> saying what is allowed.</summary>
    public static string RequireRunId(string? runId, string paramName = "runId")
    {
        if (!IsValidRunId(runId))
        {
            throw new ArgumentException(
                $"run id {Describe(runId)} is not valid: expected 1 to {MaxRunIdLength} ASCII letters, digits, " +
                "'-' or '_', starting with a letter or digit",
                paramName);
        }

        return runId!;
    }

    private static string RequireTextName(string? name)
    {
        // Dots are allowed here ("base.xf_proj") but the name must start with a letter or digit, so never "..".
        if (!IsValidSegment(name, MaxTextNameLength, allowDots: true))
        {
            throw new ArgumentException(
                $"text tensor name {Describe(name)} is not valid: expected 1 to {MaxTextNameLength} ASCII letters, " +
                "digits, '-', '_' or '.', starting with a letter or digit",
                nameof(name));
        }

        return name!;
    }

    private static string RequireIndex(int index, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, paramName);
        return index.ToString(CultureInfo.InvariantCulture);
    }

    private static bool IsValidSegment(string? value, int maxLength, bool allowDots)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowDots && c == '.')))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(string? value) => value switch
    {
        null => "(null)",
        { Length: > 80 } => $"'{value[..40]}…' ({value.Length} characters)",
        _ => $"'{value}'",
    };
}
