using System.Globalization;
using System.Text;

namespace Glide.Tensors;

/// <summary>
/// The header dictionary of a <c>.npy</c> file, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// </summary>
/// <remarks>The grammar is the Python literal subset that <c>numpy.lib.format</c> writes and reads.</remarks>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    public string Format()
    {
        var shape = NpyArray.FormatShape(Shape);
        return $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
    }

    public static NpyHeader Parse(string text, string fileName) => new Parser(text, fileName).ParseDictionary();

    private sealed class Parser(string text, string fileName)
    {
        private readonly string _text = text;
        private readonly string _fileName = fileName;
        private int _pos;

        public NpyHeader ParseDictionary()
        {
            string? descr = null;
            bool? fortranOrder = null;
            int[]? shape = null;

            Expect('{');
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}'))
                {
                    break;
                }

                var key = ReadString();
                Expect(':');
                switch (key)
                {
                    case "descr":
                        SkipWhitespace();
                        if (Peek() == '[')
                        {
                            throw Error("structured dtypes (a list 'descr') are not supported");
                        }

                        descr = ReadString();
                        break;
                    case "fortran_order":
                        fortranOrder = ReadBoolean();
                        break;
                    case "shape":
                        shape = ReadTuple();
                        break;
                    default:
                        throw Error($"unexpected key '{key}' (expected descr, fortran_order, shape)");
                }

                SkipWhitespace();
                if (TryConsume('}'))
                {
                    break;
                }

                Expect(',');
            }

            SkipWhitespace();
            if (_pos != _text.Length)
            {
                throw Error($"unexpected text after the dictionary at offset {_pos}");
            }

            return new NpyHeader(
                descr ?? throw Error("key 'descr' is missing"),
                fortranOrder ?? throw Error("key 'fortran_order' is missing"),
                shape ?? throw Error("key 'shape' is missing"));
        }

        private string ReadString()
        {
            SkipWhitespace();
            var quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Error($"expected a quoted string at offset {_pos}");
            }

            var end = _text.IndexOf(quote, _pos + 1);
            if (end < 0)
            {
                throw Error($"unterminated string at offset {_pos}");
            }

            var value = _text[(_pos + 1)..end];
            _pos = end + 1;
            return value;
        }

        private bool ReadBoolean()
        {
            SkipWhitespace();
            if (_text.AsSpan(_pos).StartsWith("True", StringComparison.Ordinal))
            {
                _pos += 4;
                return true;
            }

            if (_text.AsSpan(_pos).StartsWith("False", StringComparison.Ordinal))
            {
                _pos += 5;
                return false;
            }

            throw Error($"expected True or False at offset {_pos}");
        }

        private int[] ReadTuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(')'))
                {
                    return [.. dims];
                }

                dims.Add(ReadDimension());
                SkipWhitespace();
                if (TryConsume(')'))
                {
                    return [.. dims];
                }

                Expect(',');
            }
        }

        private int ReadDimension()
        {
            var start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos == start)
            {
                throw Error($"expected a non-negative integer dimension at offset {start}");
            }

            var digits = _text.AsSpan(start, _pos - start);

            // Python 2 era files write long integers with an L suffix.
            if (_pos < _text.Length && _text[_pos] == 'L')
            {
                _pos++;
            }

            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
            {
                throw Error($"dimension {digits} is too large");
            }

            return dim;
        }

        private void Expect(char c)
        {
            SkipWhitespace();
            if (!TryConsume(c))
            {
                var found = _pos < _text.Length ? $"'{_text[_pos]}'" : "end of header";
                throw Error($"expected '{c}' at offset {_pos}, found {found}");
            }
        }

        private bool TryConsume(char c)
        {
            if (_pos < _text.Length && _text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipWhitespace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }

        private NpyFormatException Error(string detail) =>
            new(_fileName, $"header {Quote(_text)}: {detail}");

        private static string Quote(string text)
        {
            var builder = new StringBuilder(text.Length + 2).Append('"');
            foreach (var c in text.TrimEnd())
            {
                builder.Append(char.IsControl(c) ? '?' : c);
            }

            return builder.Append('"').ToString();
        }
    }
}
