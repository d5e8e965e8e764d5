using System.Globalization;
using Glide.Models;

namespace Glide.Cli;

/// <summary>Prints one row per verified graph as it finishes, so a long run shows progress.</summary>
internal sealed class VerificationTable
{
    private readonly TextWriter _output;
    private readonly int _graphWidth;

    public VerificationTable(TextWriter output, IEnumerable<string> graphNames)
    {
        _output = output;
        _graphWidth = Math.Max("graph".Length, graphNames.Select(n => n.Length).DefaultIfEmpty(0).Max());
    }

    public void WriteHeader()
    {
        WriteRow("graph", "batch", "max abs err", "scale", "ok");
        _output.WriteLine(new string('-', _graphWidth + 2 + 5 + 2 + 11 + 2 + 10 + 2 + 4));
    }

    public void WriteResult(GraphVerificationResult result) =>
        WriteRow(
            result.Graph,
            result.Batch.ToString(CultureInfo.InvariantCulture),
            Scientific(result.MaxAbsError),
            Scientific(result.Scale),
            result.Passed ? "ok" : "FAIL");

    public void WriteError(GraphSpec graph) =>
        WriteRow(graph.Name, graph.Verify.Batch.ToString(CultureInfo.InvariantCulture), "-", "-", "ERROR");

    private void WriteRow(string graph, string batch, string error, string scale, string ok) =>
        _output.WriteLine($"{graph.PadRight(_graphWidth)}  {batch,5}  {error,11}  {scale,10}  {ok}");

    private static string Scientific(double value) => value.ToString("0.000e+00", CultureInfo.InvariantCulture);
}
