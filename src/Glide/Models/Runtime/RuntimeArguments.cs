namespace Glide.Models;

/// <summary>Checks on the spans a graph wrapper is handed; messages give the shape, expected vs actual.</summary>
internal static class RuntimeArguments
{
    public static void RequireBatch(int batch, string paramName)
    {
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, batch, "expected a batch of at least one row");
        }
    }

    /// <summary>Checks that a flat C-order span holds exactly a <c>[batch, ..rowShape]</c> tensor.</summary>
    public static void RequireLength(string paramName, int actual, int batch, params ReadOnlySpan<int> rowShape)
    {
        long expected = batch;
        foreach (var dim in rowShape)
        {
            expected *= dim;
        }

        if (actual != expected)
        {
            throw new ArgumentException(
                $"expected {expected} values ({FormatShape(batch, rowShape)} for batch {batch}), got {actual}",
                paramName);
        }
    }

    /// <summary>Checks that every value lies in <c>[min, max)</c>; the message names the row and column.</summary>
    public static void RequireRange(
        string paramName, ReadOnlySpan<long> values, int columns, long min, long max, string what)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < min || values[i] >= max)
            {
                var position = columns == 1 ? $"[{i}]" : $"[{i / columns}, {i % columns}]";
                throw new ArgumentException(
                    $"{what} {values[i]} at {position} is outside [{min}, {max})", paramName);
            }
        }
    }

    public static string FormatShape(int batch, ReadOnlySpan<int> rowShape)
    {
        var parts = new string[rowShape.Length + 1];
        parts[0] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var d = 0; d < rowShape.Length; d++)
        {
            parts[d + 1] = rowShape[d].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return $"[{string.Join(", ", parts)}]";
    }
}
