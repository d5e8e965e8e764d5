using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// The Bicep CLI from the <c>Azure.Bicep.CommandLine.linux-x64</c> NuGet package, which
/// <c>dotnet restore infra/tools/BicepTool.csproj</c> downloads into the NuGet global packages folder (CI does it in
/// <c>.ci/run</c>). Found offline; missing is a failure that says how to get it, never a skip.
/// </summary>
internal static class BicepCli
{
    /// <summary>The version infra/tools/BicepTool.csproj downloads (a test keeps the two equal).</summary>
    public const string Version = "0.49.2";

    public const string PackageId = "Azure.Bicep.CommandLine.linux-x64";

    /// <summary>Overrides the search with the path of a <c>bicep</c> executable.</summary>
    public const string PathVariable = "BICEP_PATH";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Executable = new(Locate);

    public static string Path => Executable.Value;

    /// <summary>
    /// <c>bicep build</c> of every file matching <paramref name="pattern"/> (relative to
    /// <paramref name="workingDirectory"/>) into <paramref name="outputDirectory"/>, diagnostics as SARIF.
    /// </summary>
    public static Task<BicepRun> BuildAsync(string workingDirectory, string pattern, string outputDirectory) =>
        RunAsync(workingDirectory, "build", "--pattern", pattern, "--outdir", outputDirectory, "--diagnostics-format", "sarif");

    /// <summary><c>bicep lint</c> of every file matching <paramref name="pattern"/>, diagnostics as SARIF.</summary>
    public static Task<BicepRun> LintAsync(string workingDirectory, string pattern) =>
        RunAsync(workingDirectory, "lint", "--pattern", pattern, "--diagnostics-format", "sarif");

    private static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry and no update checks from a test run.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {RunTimeout}");
        }

        var output = await stdout;
        var error = await stderr;
        return new BicepRun(
            $"bicep {string.Join(' ', arguments)}", process.ExitCode, output, error,
            [.. SarifDiagnostics(output), .. SarifDiagnostics(error)], SarifDocumentCount(output) + SarifDocumentCount(error));
    }

    /// <summary>
    /// The results of every SARIF document in <paramref name="text"/>: with <c>--pattern</c> the CLI writes one
    /// document per file, back to back (lint to stdout, build to stderr). A result without <c>level</c> is a warning
    /// (the SARIF default), which is how the CLI writes linter warnings.
    /// </summary>
    internal static IEnumerable<BicepDiagnostic> SarifDiagnostics(string text)
    {
        foreach (var document in SarifDocuments(text))
        {
            using (document)
            {
                foreach (var run in document.RootElement.GetProperty("runs").EnumerateArray())
                {
                    foreach (var result in run.GetProperty("results").EnumerateArray())
                    {
                        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
                        yield return new BicepDiagnostic(
                            new Uri(location.GetProperty("artifactLocation").GetProperty("uri").GetString()!).LocalPath,
                            location.GetProperty("region").GetProperty("startLine").GetInt32(),
                            result.GetProperty("ruleId").GetString()!,
                            result.TryGetProperty("level", out var level) ? level.GetString()! : "warning",
                            result.GetProperty("message").GetProperty("text").GetString()!);
                    }
                }
            }
        }
    }

    private static int SarifDocumentCount(string text)
    {
        var count = 0;
        foreach (var document in SarifDocuments(text))
        {
            document.Dispose();
            count++;
        }

        return count;
    }

    private static IEnumerable<JsonDocument> SarifDocuments(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var offset = 0;
        while (true)
        {
            while (offset < bytes.Length && char.IsWhiteSpace((char)bytes[offset]))
            {
                offset++;
            }

            if (offset >= bytes.Length)
            {
                yield break;
            }

            if (bytes[offset] != (byte)'{')
            {
                throw new FormatException(
                    $"unexpected bicep output (not SARIF) at offset {offset}: {text[Math.Min(offset, text.Length)..]}");
            }

            var reader = new Utf8JsonReader(bytes.AsSpan(offset), new JsonReaderOptions { AllowMultipleValues = true });
            var document = JsonDocument.ParseValue(ref reader);
            offset += (int)reader.BytesConsumed;
            yield return document;
        }
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath)
                ? MakeExecutable(explicitPath)
                : throw new InvalidOperationException($"{PathVariable} is '{explicitPath}', which does not exist");
        }

        var root = GlobalPackagesFolder();
        var candidate = System.IO.Path.Combine(root, PackageId.ToLowerInvariant(), Version, "tools", "bicep");
        if (!File.Exists(candidate))
        {
            throw new InvalidOperationException(
                $"the Bicep CLI {Version} is missing (looked for {candidate}). Get it with " +
                "`dotnet restore infra/tools/BicepTool.csproj` (downloads the " + PackageId +
                " NuGet package into the global packages folder; .ci/run does this), or set " + PathVariable +
                " to a bicep executable.");
        }

        return MakeExecutable(candidate);
    }

    /// <summary>NuGet's own order: <c>NUGET_PACKAGES</c>, then what <c>dotnet nuget locals</c> reports.</summary>
    private static string GlobalPackagesFolder()
    {
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured)
        {
            return configured;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRootPath(),
        };
        foreach (var argument in new[] { "nuget", "locals", "global-packages", "--list" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            const string Prefix = "global-packages:";
            var line = output.Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
            if (process.ExitCode == 0 && line is not null)
            {
                return line[Prefix.Length..].Trim();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No dotnet on PATH (a test run by other means): NuGet's default below.
        }

        return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static string RepoRootPath() => Glide.Testing.RepoRoot.Path;

    /// <summary>NuGet extracts files without their execute bit on some systems.</summary>
    private static string MakeExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }
}

/// <summary>One Bicep diagnostic: file, line, rule (BCPnnn or a linter rule), SARIF level and message.</summary>
internal sealed record BicepDiagnostic(string File, int Line, string Rule, string Level, string Message)
{
    public bool IsErrorOrWarning => Level is "error" or "warning";

    public override string ToString() => $"{File}({Line}) : {Level} {Rule}: {Message}";
}

/// <summary>One CLI run: exit code, raw output and the parsed diagnostics.</summary>
internal sealed record BicepRun(
    string Command, int ExitCode, string StandardOutput, string StandardError,
    IReadOnlyList<BicepDiagnostic> Diagnostics, int SarifDocuments)
{
    public IReadOnlyList<BicepDiagnostic> Problems => [.. Diagnostics.Where(d => d.IsErrorOrWarning)];

    /// <summary>Fails, listing every error and warning, unless there are none and the CLI succeeded.</summary>
    public void AssertClean()
    {
        if (ExitCode != 0 || Problems.Count > 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"{Command} exited {ExitCode} with {Problems.Count(p => p.Level == "error")} error(s) and " +
                $"{Problems.Count(p => p.Level == "warning")} warning(s):{Environment.NewLine}" +
                string.Join(Environment.NewLine, Problems) +
                (Problems.Count == 0 ? $"{Environment.NewLine}{StandardError}" : string.Empty));
        }
    }
}
