using System.Text.Json.Serialization;
using Glide.Diffusion;
using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;

namespace GlideFunctions.Orchestration;

/// <summary>
/// The input of <see cref="GenerationOrchestrator"/>: one validated generation and how to fan it out. Candidate k
/// uses seed <see cref="Seed"/> + k, as in <see cref="GenerationRequest"/>, so the fan-out never changes an image.
/// <c>RunId</c> names the run's blobs (<c>runs/{RunId}/…</c>, see <c>RunBlobNames</c>) and is the instance id;
/// <c>Count</c> is the number of base candidates, <c>ChunkSize</c> the candidates per <c>SampleBase</c> activity.
/// With <see cref="Inpaint"/> the run is an inpainting run (glide-spec §8.3, <see cref="InpaintRequest"/>): the same
/// stages on the inpainting models, every candidate kept.
/// </summary>
/// <remarks>
/// Everything the orchestration decides from is in here (retry policy, webhook target and schedule, the creation
/// time) so that a replay, even after a configuration change, schedules exactly the same work.
/// </remarks>
public sealed record GenerationPlan(
    string RunId,
    string Prompt,
    string? NegativePrompt,
    int Count,
    int ChunkSize,
    long Seed,
    float GuidanceScale,
    string BaseSteps,
    string UpsampleSteps,
    float UpsampleTemperature)
{
    /// <summary>Candidates per <c>SampleBase</c> activity when the configuration does not say.</summary>
    public const int DefaultChunkSize = 2;

    /// <summary>Images kept and upsampled (<c>num_outputs</c>); 0 means all <see cref="Count"/> candidates.</summary>
    public int Keep { get; init; }

    /// <summary>Rank the candidates with CLIP before keeping <see cref="Keep"/> of them.</summary>
    public bool Rerank { get; init; }

    /// <summary>How the base stage is guided: classifier-free (default) or by the noised CLIP's gradient.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<GuidanceMode>))]
    public GuidanceMode Guidance { get; init; }

    /// <summary>
    /// How the text-to-image upsampler steps; null for the model's manifest (plans made before the field existed, and
    /// inpainting plans, whose upsampler is always ancestral).
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SamplerKind>))]
    public SamplerKind? UpsampleSampler { get; init; }

    /// <summary>
    /// For inpainting: where the API stored the decoded source and mask before the run started; null for a
    /// text-to-image run.
    /// </summary>
    public InpaintBlobs? Inpaint { get; init; }

    /// <summary>The validated request as the client sent it, defaults and seed filled; echoed as <c>input</c>.</summary>
    public GenerationInput? Input { get; init; }

    /// <summary>Hash of <see cref="Input"/> that a create retried with the same <c>Idempotency-Key</c> must match.</summary>
    public string? InputHash { get; init; }

    /// <summary>When the client asked for the generation (the API's clock, recorded once).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Where the generation's images are downloaded from: <c>{ImageUrlBase}{index}</c>.</summary>
    public string? ImageUrlBase { get; init; }

    /// <summary>How often an activity is tried before the generation fails.</summary>
    public ActivityRetrySettings Retry { get; init; } = ActivityRetrySettings.Default;

    /// <summary>Where and how to send webhook events, when the client asked for them.</summary>
    public GenerationWebhook? Webhook { get; init; }

    /// <summary>The number of images that are upsampled and returned.</summary>
    public int OutputCount => Keep == 0 ? Count : Keep;

    /// <summary>
    /// The same generation as one request to the in-process cascade: all candidates, reranked to the kept ones when
    /// <see cref="Rerank"/> is set (a text-to-image plan; see <see cref="ToInpaintRequest"/> for inpainting).
    /// </summary>
    public GenerationRequest ToRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = Count,
        Keep = Rerank ? OutputCount : null,
        Seed = Seed,
        GuidanceScale = GuidanceScale,
        Guidance = Guidance,
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
        UpsampleSampler = UpsampleSampler,
        UpsampleTemperature = UpsampleTemperature,
    };

    /// <summary>The same inpainting generation as one request to <see cref="InpaintCascade"/>.</summary>
    public InpaintRequest ToInpaintRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = Count,
        Seed = Seed,
        GuidanceScale = GuidanceScale,
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
        UpsampleTemperature = UpsampleTemperature,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        Storage.RunBlobNames.RequireRunId(RunId, nameof(RunId));
        if (Inpaint is null)
        {
            ToRequest().Validate();
        }
        else
        {
            ValidateInpaint(Inpaint);
        }

        if (ChunkSize < 1)
        {
            throw new ArgumentException($"chunk size must be at least 1, got {ChunkSize}", nameof(ChunkSize));
        }

        if (Keep < 0 || Keep > Count)
        {
            throw new ArgumentException($"keep must be between 1 and the {Count} candidates, got {Keep}", nameof(Keep));
        }

        Retry.Validate();
    }

    private void ValidateInpaint(InpaintBlobs inpaint)
    {
        ToInpaintRequest().Validate();
        if (Rerank || (Keep != 0 && Keep != Count))
        {
            throw new ArgumentException("inpainting keeps every candidate: no rerank, keep 0 or all", nameof(Rerank));
        }

        if (Guidance != GuidanceMode.ClassifierFree)
        {
            throw new ArgumentException("inpainting runs with classifier-free guidance only", nameof(Guidance));
        }

        if (UpsampleSampler is not null)
        {
            throw new ArgumentException("inpainting upsamples with ancestral steps only", nameof(UpsampleSampler));
        }

        if (string.IsNullOrEmpty(inpaint.Image64) || string.IsNullOrEmpty(inpaint.Mask64)
            || string.IsNullOrEmpty(inpaint.Image256))
        {
            throw new ArgumentException("inpainting needs the blob names of image64, mask64 and image256", nameof(Inpaint));
        }
    }

    /// <summary>How many <c>SampleBase</c> chunks the candidates make.</summary>
    public int ChunkCount => (Count + ChunkSize - 1) / ChunkSize;

    /// <summary>Index of the first candidate of <paramref name="chunk"/>.</summary>
    public int ChunkStart(int chunk) => chunk * ChunkSize;

    /// <summary>Candidates in <paramref name="chunk"/> (the last one may be short).</summary>
    public int ChunkLength(int chunk) => Math.Min(ChunkSize, Count - ChunkStart(chunk));

    public long SeedOf(int index) => unchecked(Seed + index);
}
