using System.Text.Json;

namespace GlideFunctions.Tests.Infra;

/// <summary>Reads compiled ARM JSON (what <c>bicep build</c> writes): resources at any module depth.</summary>
internal static class ArmTemplate
{
    /// <summary>
    /// Every resource of <paramref name="type"/> in <paramref name="template"/> and in the templates of its nested
    /// deployments (modules), with the template that declares it. Resources may be an array or, in language version
    /// 2.0, an object keyed by symbolic name.
    /// </summary>
    public static IEnumerable<(JsonElement Resource, JsonElement Template)> Resources(JsonElement template, string type)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        var items = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : [.. resources.EnumerateObject().Select(p => p.Value)];
        foreach (var resource in items)
        {
            var resourceType = resource.GetProperty("type").GetString();
            if (string.Equals(resourceType, type, StringComparison.OrdinalIgnoreCase))
            {
                yield return (resource, template);
            }

            if (string.Equals(resourceType, "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
                && resource.GetProperty("properties").TryGetProperty("template", out var nested))
            {
                foreach (var found in Resources(nested, type))
                {
                    yield return found;
                }
            }
        }
    }

    /// <summary>The one resource of <paramref name="type"/>, failing when there is none or more than one.</summary>
    public static (JsonElement Resource, JsonElement Template) Single(JsonElement template, string type)
    {
        var found = Resources(template, type).ToList();
        return found.Count == 1
            ? found[0]
            : throw new Xunit.Sdk.XunitException($"expected one {type} in the compiled template, found {found.Count}");
    }

    /// <summary>The app's main container (the first of template.containers).</summary>
    public static JsonElement MainContainer(JsonElement containerApp) =>
        containerApp.GetProperty("properties").GetProperty("template").GetProperty("containers")[0];

    /// <summary>The main container's environment variables (the app settings): name → the entry.</summary>
    public static IReadOnlyDictionary<string, JsonElement> AppSettings(JsonElement containerApp)
    {
        var env = MainContainer(containerApp).GetProperty("env");
        if (env.ValueKind != JsonValueKind.Array)
        {
            throw new Xunit.Sdk.XunitException(
                "the container's env must be a literal array in infra/modules/functionapp.bicep (conditional values " +
                $"per entry are fine), so the settings can be checked offline; got {env.GetRawText()}");
        }

        var settings = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var entry in env.EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            if (!settings.TryAdd(name, entry))
            {
                throw new Xunit.Sdk.XunitException($"the app setting {name} is set twice");
            }
        }

        return settings;
    }
}
