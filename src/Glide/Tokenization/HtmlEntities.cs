using System.Globalization;
using System.Text;

namespace Glide.Tokenization;

/// <summary>
/// The HTML5 named character references as Python's <c>html.entities.html5</c> holds them (names with and without
/// the semicolon), which both ftfy's and Python's HTML unescaping decode from.
/// </summary>
/// <remarks>
/// Data/html5_entities.tsv.gz is that dictionary written out (Data/NOTICE.md): name, the code points of its value,
/// and the code points of the value under Python's <c>str.upper()</c>, which ftfy needs and .NET cannot give
/// (full uppercase mappings such as ß → SS).
/// </remarks>
internal static class HtmlEntities
{
    private static readonly Lazy<(Dictionary<string, string> Values, Dictionary<string, string> Upper)> Tables =
        new(Load);

    /// <summary>Name (e.g. <c>amp;</c> or <c>amp</c>) → value.</summary>
    public static IReadOnlyDictionary<string, string> Values => Tables.Value.Values;

    /// <summary>Name → Python's <c>value.upper()</c>.</summary>
    public static IReadOnlyDictionary<string, string> UpperValues => Tables.Value.Upper;

    private static (Dictionary<string, string>, Dictionary<string, string>) Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var upper = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in EmbeddedData.ReadGzippedText("html5_entities.tsv.gz").Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != 3)
            {
                throw new InvalidDataException($"html5_entities.tsv: expected 3 fields, got '{line}'");
            }

            values.Add(fields[0], Decode(fields[1]));
            upper.Add(fields[0], Decode(fields[2]));
        }

        return (values, upper);
    }

    private static string Decode(string codePoints)
    {
        var builder = new StringBuilder();
        foreach (var hex in codePoints.Split(' '))
        {
            builder.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return builder.ToString();
    }
}
