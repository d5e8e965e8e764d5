using System.Reflection;
using System.Text.RegularExpressions;
using Glide.Testing;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// The app settings the code reads: the Functions host's own, every <c>%NAME%</c> reference in host.json, and
/// <c>Section__Property</c> for every bindable property of every options class of the worker (a type with a
/// <c>SectionName</c> constant, found by reflection so a new options class is covered without editing this list).
/// </summary>
internal static partial class AppSettingCatalog
{
    /// <summary>Read by the Functions host for an isolated worker app.</summary>
    public static readonly IReadOnlyList<string> HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];

    public static IReadOnlyList<Type> OptionsTypes { get; } = typeof(GlideFunctions.Options.GlideOptions).Assembly
        .GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false }
                    && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    public static IReadOnlyList<string> Read { get; } =
        [.. HostSettings.Concat(HostJsonReferences()).Concat(OptionsSettings()).Distinct()];

    /// <summary>
    /// Whether <paramref name="settings"/> configure the storage connection <paramref name="connection"/> the way
    /// the host and the worker accept it: a connection string, or the identity form (<c>__accountName</c>, or the
    /// service URIs).
    /// </summary>
    public static bool ConfiguresConnection(IEnumerable<string> settings, string connection)
    {
        var keys = settings.ToHashSet(StringComparer.Ordinal);
        return keys.Contains(connection)
               || keys.Contains($"{connection}__accountName")
               || (keys.Contains($"{connection}__blobServiceUri") && keys.Contains($"{connection}__queueServiceUri"));
    }

    private static IEnumerable<string> OptionsSettings() =>
        OptionsTypes.SelectMany(type =>
        {
            var section = (string)type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
            return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
                .Select(p => $"{section}__{p.Name}");
        });

    private static IEnumerable<string> HostJsonReferences() =>
        SettingReference().Matches(File.ReadAllText(RepoRoot.Combine("host.json"))).Select(m => m.Groups[1].Value);

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();
}
