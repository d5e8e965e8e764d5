namespace GlideFunctions.Tests.Azurite;

/// <summary>
/// Finds the Azurite executable: <c>AZURITE_PATH</c>, then the repository's own install under <c>.tools/azurite</c>
/// (what <c>.ci/run</c> installs), then <c>azurite</c> on <c>PATH</c>. Never "not found, skip": storage tests
/// that quietly do not run would hide a broken storage layer.
/// </summary>
internal static class AzuriteLocator
{
    public const string EnvironmentVariable = "AZURITE_PATH";

    public const string Version = "3.37.0";

    public const string InstallCommand = $"npm install --prefix .tools/azurite azurite@{Version}";

    private static string ExecutableName => OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite";

    /// <summary>Where <c>.ci/run</c> installs Azurite, relative to the repository root.</summary>
    public static string RepositoryInstall(string repoRoot) =>
        Path.Combine(repoRoot, ".tools", "azurite", "node_modules", ".bin", ExecutableName);

    public static string Find() =>
        Find(
            Environment.GetEnvironmentVariable(EnvironmentVariable),
            () => Glide.Testing.RepoRoot.Path,
            Environment.GetEnvironmentVariable("PATH"));

    /// <param name="azuritePath">The value of <c>AZURITE_PATH</c>, if set.</param>
    /// <param name="repoRoot">The repository root; asked for only when <paramref name="azuritePath"/> is not set.</param>
    /// <param name="searchPath">The value of <c>PATH</c>.</param>
    public static string Find(string? azuritePath, Func<string> repoRoot, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(repoRoot);
        if (!string.IsNullOrEmpty(azuritePath))
        {
            // Set but wrong is a mistake to report, not a reason to pick some other Azurite.
            return File.Exists(azuritePath)
                ? Path.GetFullPath(azuritePath)
                : throw new InvalidOperationException(
                    $"{EnvironmentVariable} is set to '{azuritePath}', but there is no file there. Point it at the " +
                    $"azurite executable, or unset it and run `{InstallCommand}` in the repository root.");
        }

        var root = repoRoot();
        var install = RepositoryInstall(root);
        if (File.Exists(install))
        {
            return install;
        }

        foreach (var directory in (searchPath ?? string.Empty).Split(
            Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = Path.Combine(directory, ExecutableName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"Azurite (the storage emulator the storage tests run against) was not found: not in {EnvironmentVariable}, " +
            $"not at {install}, not on PATH. Run `{InstallCommand}` in {root} (needs node and npm), or set " +
            $"{EnvironmentVariable} to an azurite executable.");
    }
}
