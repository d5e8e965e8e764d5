using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask.Client;

namespace GlideFunctions.Http;

/// <summary>
/// The generation object of one orchestration instance: <see cref="GenerationResourceBuilder"/> on its plan and
/// custom status, with the runtime status filling in what the custom status cannot say (not started yet; ended by
/// something other than the orchestrator itself).
/// </summary>
public static class GenerationsResourceMapper
{
    public static GenerationResource ToResource(
        OrchestrationMetadata metadata, GenerationPlan plan, IReadOnlyList<StepProgressRecord> progress)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(plan);
        var status = ReadStatus(metadata);
        var resource = GenerationResourceBuilder.Build(plan, status, progress);
        if (resource.Status.IsTerminal())
        {
            return resource;
        }

        // The orchestrator publishes a terminal status before it ends; these are the ends it could not report.
        return metadata.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Failed => resource with
            {
                Status = GenerationStatus.Failed,
                Progress = null,
                CompletedAt = metadata.LastUpdatedAt,
                Error = new GenerationError(
                    status?.Stage ?? "orchestration",
                    metadata.FailureDetails?.ErrorMessage ?? "the generation failed without a reason"),
            },
            OrchestrationRuntimeStatus.Terminated => resource with
            {
                Status = GenerationStatus.Canceled,
                Progress = null,
                CompletedAt = metadata.LastUpdatedAt,
            },
            _ => resource,
        };
    }

    /// <summary>The orchestrator's custom status, or null when there is none (yet) or it is not one.</summary>
    public static GenerationCustomStatus? ReadStatus(OrchestrationMetadata metadata)
    {
        try
        {
            return metadata.ReadCustomStatusAs<GenerationCustomStatus>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
