namespace Glide.Testing;

/// <summary>
/// A copy of the tiny fixture model directory (tests/fixtures/tiny) without some model kinds: their entries leave the
/// manifest and their graphs and verify files are not copied, as if the exporter had been run without them.
/// </summary>
internal static class TinyModelWithout
{
    /// <summary>Writes the copy into <paramref name="destination"/> (created) and returns it.</summary>
    public static string Write(string destination, params string[] kinds) => TinyModelCopy.Write(destination, manifest =>
    {
        var models = manifest["models"]!.AsObject();
        var dropped = models.Where(m => kinds.Contains((string?)m.Value!["kind"])).Select(m => m.Key).ToList();
        foreach (var name in dropped)
        {
            models.Remove(name);
        }

        var graphs = manifest["graphs"]!.AsArray();
        foreach (var graph in graphs.Where(g => dropped.Contains((string)g!["model"]!)).ToList())
        {
            graphs.Remove(graph);
        }
    });
}
