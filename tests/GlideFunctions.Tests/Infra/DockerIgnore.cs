using System.Text;
using System.Text.RegularExpressions;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// .dockerignore rules as Docker applies them: one pattern per line (<c>#</c> comments), <c>*</c> and <c>?</c> within
/// a path segment, <c>**</c> across segments, <c>!</c> re-includes; a pattern that matches a directory matches
/// everything below it; the last matching pattern decides.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(IReadOnlyList<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Parse(string text)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = (exclude ? line : line[1..].Trim()).Trim('/');
            if (pattern.StartsWith("./", StringComparison.Ordinal))
            {
                pattern = pattern[2..];
            }

            rules.Add((new Regex(ToRegex(pattern), RegexOptions.CultureInvariant), exclude));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether <paramref name="path"/> (relative to the context, '/'-separated) is sent to the builder.</summary>
    public bool Includes(string path)
    {
        var excluded = false;
        var normalized = path.Replace('\\', '/').Trim('/');
        foreach (var (pattern, exclude) in _rules)
        {
            if (MatchesSelfOrParent(pattern, normalized))
            {
                excluded = exclude;
            }
        }

        return !excluded;
    }

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        for (var prefix = path; prefix.Length > 0;)
        {
            if (pattern.IsMatch(prefix))
            {
                return true;
            }

            var slash = prefix.LastIndexOf('/');
            prefix = slash < 0 ? string.Empty : prefix[..slash];
        }

        return false;
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        var segments = pattern.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == "**")
            {
                regex.Append(last ? ".*" : "(?:.*/)?");
                continue;
            }

            foreach (var c in segment)
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }

            if (!last)
            {
                regex.Append('/');
            }
        }

        return regex.Append('$').ToString();
    }
}
