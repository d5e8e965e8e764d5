using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GlideFunctions.Bulk;

/// <summary>
/// Reads a prompts file into the messages to send, checking all of it first: a file with any bad line yields
/// nothing, so a batch is never half enqueued.
/// </summary>
/// <remarks>
/// Two formats, by extension: <c>.jsonl</c> (or <c>.ndjson</c>) holds one create body per line (a JSON object, with
/// an optional <c>id</c>); anything else holds one prompt per line. In both, blank lines and lines starting with
/// <c>#</c> are skipped. Lines without an <c>id</c> get <c>{runId}-{n}</c>, n counting prompts from 0, so running the
/// same file again names the same generations.
/// </remarks>
internal static class PromptFile
{
    /// <summary>At most this many problems are listed; a wholly wrong file would otherwise flood the terminal.</summary>
    private const int MaxReported = 20;

    private static readonly JsonDocumentOptions LineOptions = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    public static bool IsJsonLines(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".jsonl" or ".ndjson";

    /// <summary>
    /// The run id used when none is given: <c>bulk-</c> and 10 hex digits of a hash of the file and the
    /// <c>--set</c> values, so the same command names the same generations and an edited file new ones.
    /// </summary>
    public static string DefaultRunId(byte[] file, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(file);
        foreach (var (name, value) in settings)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n--set {name}={value}"));
        }

        return "bulk-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..10];
    }

    /// <summary>The requests of <paramref name="path"/>, or every problem found (line numbers from 1).</summary>
    /// <param name="path">The prompts file.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="runId">Prefix of the generated ids.</param>
    /// <param name="defaults">Fields (from <c>--set</c>) for lines that leave them out.</param>
    /// <exception cref="BulkInputException">The file cannot be used; the message lists the problems.</exception>
    public static IReadOnlyList<BulkRequest> Read(
        string path, byte[] content, string runId, IReadOnlyDictionary<string, JsonNode?> defaults)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new BulkInputException($"{path} is not UTF-8 text");
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var jsonLines = IsJsonLines(path);
        var problems = new List<string>();
        var requests = new List<BulkRequest>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        var prompts = 0;
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            var line = lines[index].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var n = prompts++;
            string? error = null;
            var body = jsonLines ? ParseLine(line, out error) : new JsonObject { [BodyFields.Prompt] = line.Trim() };
            if (body is null)
            {
                problems.Add($"{path}:{lineNumber}: {error}");
                continue;
            }

            foreach (var (name, value) in defaults)
            {
                if (!body.ContainsKey(name))
                {
                    body[name] = value?.DeepClone();
                }
            }

            var lineProblems = BodyFields.Check(body).ToList();
            var id = body[BodyFields.Id]?.GetValueKind() == JsonValueKind.String
                ? body[BodyFields.Id]!.GetValue<string>()
                : string.Create(CultureInfo.InvariantCulture, $"{runId}-{n}");
            if (!ids.TryAdd(id, lineNumber))
            {
                lineProblems.Add($"id '{id}' is already used on line {ids[id]}");
            }

            body[BodyFields.Id] = id;
            var message = BodyFields.Serialize(body);
            if (message.Length > BodyFields.MaxMessageBytes)
            {
                lineProblems.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the body is {message.Length:N0} bytes; a queue message holds at most {BodyFields.MaxMessageBytes:N0} (64 KiB once base64-encoded)"));
            }

            if (lineProblems.Count > 0)
            {
                problems.AddRange(lineProblems.Select(problem => $"{path}:{lineNumber}: {problem}"));
                continue;
            }

            var prompt = body[BodyFields.Prompt]!.GetValue<string>();
            requests.Add(new BulkRequest(lineNumber, id, prompt, body, message));
        }

        if (problems.Count > 0)
        {
            var shown = problems.Take(MaxReported).ToList();
            if (problems.Count > MaxReported)
            {
                shown.Add($"… and {problems.Count - MaxReported} more");
            }

            throw new BulkInputException(
                $"{path} has {problems.Count} problem(s); nothing was enqueued:{Environment.NewLine}" +
                string.Join(Environment.NewLine, shown.Select(p => "  " + p)));
        }

        return requests.Count == 0
            ? throw new BulkInputException($"{path} holds no prompts (blank lines and # comments are skipped)")
            : requests;
    }

    private static JsonObject? ParseLine(string line, out string? error)
    {
        error = null;
        try
        {
            var node = JsonNode.Parse(line, documentOptions: LineOptions);
            if (node is JsonObject body)
            {
                return body;
            }

            error = "each line of a .jsonl file must be a JSON object such as {\"prompt\": \"a corgi\"}";
            return null;
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return null;
        }
    }
}
