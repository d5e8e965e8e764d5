using System.Text.Json.Nodes;

namespace Glide.Testing;

/// <summary>
/// A copy of the tiny fixture model directory (tests/fixtures/tiny) with its manifest edited, as if the exporter had
/// written it so: only the graphs and verify files the edited manifest lists are copied.
/// </summary>
internal static class TinyModelCopy
{
    /// <summary>Writes the copy into <paramref name="destination"/> (created) and returns it.</summary>
    /// <param name="destination">The new model directory.</param>
    /// <param name="edit">Changes the parsed manifest before it is written (drop models, set fields).</param>
    public static string Write(string destination, Action<JsonObject> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var source = RepoRoot.Combine("tests", "fixtures", "tiny");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "manifest.json")))!.AsObject();
        edit(manifest);

        Directory.CreateDirectory(Path.Combine(destination, "verify"));
        foreach (var graph in manifest["graphs"]!.AsArray())
        {
            foreach (var file in new[] { (string)graph!["file"]!, (string)graph["verify"]!["file"]! })
            {
                File.Copy(Path.Combine(source, file), Path.Combine(destination, file));
            }
        }

        File.WriteAllText(Path.Combine(destination, "manifest.json"), manifest.ToJsonString());
        return destination;
    }

    /// <summary>The copy with a manifest whose <c>sampling</c> names <paramref name="upsampleSampler"/>.</summary>
    public static string NamingUpsampleSampler(string destination, string upsampleSampler) => Write(
        destination, manifest => manifest["sampling"] = new JsonObject { ["upsample_sampler"] = upsampleSampler });
}
