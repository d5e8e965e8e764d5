using System.Text.Json;

namespace GlideFunctions.Api;

/// <summary>
/// Typed reads of one JSON field for <see cref="GenerationRequestParser"/>: each returns the value, or null after
/// adding a "must be X, got Y" error; JSON <c>null</c> reads as absent without an error.
/// </summary>
internal static class JsonFieldReader
{
    // |x| ≥ 2^63 cannot be an Int64: such a number is an integer that is out of range, not a type error.
    private const double Int64Magnitude = 9223372036854775808.0;

    public static string? ReadString(
        JsonElement value, string field, List<FieldError> errors, string expected = "a string")
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                try
                {
                    return value.GetString();
                }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate ("\ud800") has no UTF-8 form, so System.Text.Json cannot decode it.
                    errors.Add(new(
                        field, $"{field} must be valid Unicode text; it holds an unpaired surrogate escape"));
                    return null;
                }

            default:
                errors.Add(new(field, $"{field} must be {expected}, got {Texts.Describe(value.ValueKind)}"));
                return null;
        }
    }

    /// <summary>
    /// An integer in [<paramref name="min"/>, <paramref name="max"/>]; fractions and exponents are refused.
    /// </summary>
    public static long? ReadInteger(JsonElement value, string field, long min, long max, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new(field, $"{field} must be an integer, got {Texts.Describe(value.ValueKind)}"));
            return null;
        }

        if (value.TryGetInt64(out var integer))
        {
            if (integer < min || integer > max)
            {
                errors.Add(new(field, OutOfRange(field, min, max, Texts.Number(integer))));
                return null;
            }

            return integer;
        }

        // 2.5, 1.0 and 1e2 are not integer literals; 1e30 is an integer far out of range.
        errors.Add(value.TryGetDouble(out var number) && Math.Abs(number) >= Int64Magnitude
            ? new(field, OutOfRange(field, min, max, Texts.Raw(value)))
            : new(field, $"{field} must be an integer without a fraction or exponent, got {Texts.Raw(value)}"));
        return null;
    }

    /// <summary>A finite number; range checks are the caller's.</summary>
    public static double? ReadNumber(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new(field, $"{field} must be a number, got {Texts.Describe(value.ValueKind)}"));
            return null;
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            errors.Add(new(field, $"{field} must be a finite number, got {Texts.Raw(value)}"));
            return null;
        }

        return number;
    }

    public static bool? ReadBoolean(JsonElement value, string field, List<FieldError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                errors.Add(new(field, $"{field} must be true or false, got {Texts.Describe(value.ValueKind)}"));
                return null;
        }
    }

    /// <summary>An array whose items are all strings; every non-string item is reported by its index.</summary>
    public static IReadOnlyList<string>? ReadStringArray(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(field, $"{field} must be an array of strings, got {Texts.Describe(value.ValueKind)}"));
            return null;
        }

        var items = new List<string>();
        var itemErrors = new List<FieldError>();
        var failed = false;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            // Errors name the array field itself, and the item by its index in the message.
            var text = item.ValueKind == JsonValueKind.Null
                ? null
                : ReadString(item, $"{field}[{index}]", itemErrors);
            if (text is null)
            {
                errors.Add(itemErrors.Count > 0
                    ? new(field, itemErrors[^1].Message)
                    : new(field, $"{field}[{index}] must be a string, got null"));
                itemErrors.Clear();
                failed = true;
            }
            else
            {
                items.Add(text);
            }

            index++;
        }

        return failed ? null : items;
    }

    public static string OutOfRange(string field, long min, long max, string shown) =>
        $"{field} must be between {Texts.Number(min)} and {Texts.Number(max)}, got {shown}";
}
