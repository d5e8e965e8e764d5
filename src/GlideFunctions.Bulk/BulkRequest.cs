using System.Text.Json.Nodes;

namespace GlideFunctions.Bulk;

/// <summary>
/// One line of the prompts file as the message it becomes: the generation <paramref name="Id"/>, the
/// <paramref name="Body"/> (with <c>id</c> set) and its bytes, and where it came from.
/// </summary>
internal sealed record BulkRequest(int Line, string Id, string Prompt, JsonObject Body, byte[] Message);
