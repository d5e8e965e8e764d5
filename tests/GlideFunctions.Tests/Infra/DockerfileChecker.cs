using System.Text;
using System.Text.Json;

namespace GlideFunctions.Tests.Infra;

/// <summary>One Dockerfile instruction: its keyword (upper case), the text after it, and where it starts.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line, int Stage)
{
    /// <summary>Leading <c>--name=value</c> flags (COPY, ADD, FROM, RUN, HEALTHCHECK).</summary>
    public IReadOnlyDictionary<string, string> Flags => SplitFlags().Flags;

    /// <summary>The arguments after the flags: the JSON array form unpacked, or the words of the shell form.</summary>
    public IReadOnlyList<string> Operands => SplitFlags().Operands;

    private (Dictionary<string, string> Flags, List<string> Operands) SplitFlags()
    {
        var words = Words(Arguments);
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        for (; index < words.Count && words[index].StartsWith("--", StringComparison.Ordinal); index++)
        {
            var equals = words[index].IndexOf('=', StringComparison.Ordinal);
            flags[equals < 0 ? words[index][2..] : words[index][2..equals]] = equals < 0 ? "" : words[index][(equals + 1)..];
        }

        var rest = string.Join(' ', words.Skip(index)).Trim();
        if (rest.StartsWith('['))
        {
            using var array = JsonDocument.Parse(rest);
            return (flags, [.. array.RootElement.EnumerateArray().Select(e => e.GetString()!)]);
        }

        return (flags, [.. words.Skip(index)]);
    }

    private static List<string> Words(string text) =>
        [.. text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];
}

/// <summary>
/// A small Dockerfile checker (no Docker daemon here): parses the instructions (comments, parser directives, line
/// continuations), and reports unknown instructions, COPY/ADD sources missing from the build context or excluded by the
/// .dockerignore, <c>--from</c> naming no earlier stage, a final stage without a non-root USER or without a probe.
/// </summary>
internal sealed class DockerfileChecker
{
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
        "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    };

    private DockerfileChecker(IReadOnlyList<DockerInstruction> instructions, IReadOnlyList<string> syntaxProblems)
    {
        Instructions = instructions;
        SyntaxProblems = syntaxProblems;
    }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public IReadOnlyList<string> SyntaxProblems { get; }

    /// <summary>Stage names (<c>FROM image AS name</c>) by stage index.</summary>
    public IReadOnlyList<string?> StageNames =>
        [.. Instructions.Where(i => i.Keyword == "FROM").Select(i =>
        {
            var operands = i.Operands;
            return operands.Count == 3 && operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? operands[2] : null;
        })];

    public IEnumerable<DockerInstruction> FinalStage => Instructions.Where(i => i.Stage == StageNames.Count - 1);

    public static DockerfileChecker Parse(string text)
    {
        var instructions = new List<DockerInstruction>();
        var problems = new List<string>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var stage = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue; // comments, and parser directives such as "# syntax=" (also comments to this checker)
            }

            var start = i + 1;
            var logical = new StringBuilder();
            while (true)
            {
                var current = lines[i].TrimEnd();
                if (!current.EndsWith('\\'))
                {
                    logical.Append(current);
                    break;
                }

                logical.Append(current[..^1]).Append(' ');
                // Comment lines inside a continuation are dropped, as Docker does.
                do
                {
                    i++;
                }
                while (i < lines.Length && lines[i].TrimStart().StartsWith('#'));

                if (i >= lines.Length)
                {
                    problems.Add($"line {start}: the file ends inside a line continuation");
                    break;
                }
            }

            var instruction = logical.ToString().Trim();
            var space = instruction.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? instruction : instruction[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : instruction[(space + 1)..].Trim();
            if (!Keywords.Contains(keyword))
            {
                problems.Add($"line {start}: unknown instruction '{keyword}'");
                continue;
            }

            if (instruction.Contains("<<", StringComparison.Ordinal) && keyword is "RUN" or "COPY")
            {
                problems.Add($"line {start}: heredocs are not checked by this checker; avoid them");
            }

            if (keyword == "FROM")
            {
                stage++;
            }
            else if (stage < 0 && keyword != "ARG")
            {
                problems.Add($"line {start}: {keyword} before the first FROM (only ARG may come first)");
            }

            if (arguments.Length == 0)
            {
                problems.Add($"line {start}: {keyword} has no arguments");
            }

            instructions.Add(new DockerInstruction(keyword, arguments, start, Math.Max(stage, 0)));
        }

        if (stage < 0)
        {
            problems.Add("no FROM instruction");
        }

        return new DockerfileChecker(instructions, problems);
    }

    /// <summary>Every problem: syntax, COPY/ADD sources, the final stage's user and probe.</summary>
    public IReadOnlyList<string> Check(string contextDirectory, DockerIgnore ignore)
    {
        var problems = new List<string>(SyntaxProblems);
        var names = StageNames;
        foreach (var copy in Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var operands = copy.Operands;
            if (operands.Count < 2)
            {
                problems.Add($"line {copy.Line}: {copy.Keyword} needs at least one source and a destination");
                continue;
            }

            if (copy.Flags.TryGetValue("from", out var from))
            {
                var earlier = names.Take(copy.Stage).ToList();
                if (!earlier.Contains(from) && !(int.TryParse(from, out var index) && index < copy.Stage) && !from.Contains('/'))
                {
                    problems.Add($"line {copy.Line}: --from={from} names no earlier stage");
                }

                continue; // the sources are in that stage, not in the build context
            }

            foreach (var source in operands.Take(operands.Count - 1))
            {
                problems.AddRange(CheckSource(copy, source, contextDirectory, ignore));
            }
        }

        var users = FinalStage.Where(i => i.Keyword == "USER").ToList();
        if (users.Count == 0)
        {
            problems.Add("the final stage has no USER: the container would run as root");
        }
        else
        {
            var user = users[^1].Arguments.Split(':')[0].Trim();
            if (user is "root" or "0")
            {
                problems.Add($"line {users[^1].Line}: the final stage runs as root (USER {users[^1].Arguments})");
            }
        }

        var healthchecks = FinalStage.Where(i => i.Keyword == "HEALTHCHECK").ToList();
        if (healthchecks.Count == 0 || healthchecks[^1].Arguments.Trim().Equals("NONE", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("the final stage has no HEALTHCHECK");
        }

        return problems;
    }

    private static IEnumerable<string> CheckSource(
        DockerInstruction copy, string source, string contextDirectory, DockerIgnore ignore)
    {
        if (source.Contains("://", StringComparison.Ordinal))
        {
            yield break; // ADD <url>
        }

        var relative = source.TrimStart('/').TrimEnd('/');
        if (relative.IndexOfAny(['*', '?', '[']) >= 0)
        {
            yield return $"line {copy.Line}: wildcard source '{source}' is not checked by this checker; name paths";
            yield break;
        }

        if (relative.Split('/').Contains(".."))
        {
            yield return $"line {copy.Line}: source '{source}' leaves the build context";
            yield break;
        }

        var path = Path.Combine(contextDirectory, relative);
        if (File.Exists(path))
        {
            if (!ignore.Includes(relative))
            {
                yield return $"line {copy.Line}: source '{source}' exists but the .dockerignore excludes it";
            }
        }
        else if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(contextDirectory, f).Replace('\\', '/'))
                .ToList();
            if (!files.Any(ignore.Includes))
            {
                yield return $"line {copy.Line}: the .dockerignore excludes everything in '{source}'";
            }
        }
        else
        {
            yield return $"line {copy.Line}: source '{source}' does not exist in the build context ({contextDirectory})";
        }
    }
}
