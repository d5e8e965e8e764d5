using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Glide.Tokenization;

namespace Glide.Cli;

/// <summary>
/// <c>glide tokenize "text"</c>: the token ids the model sees for a prompt, one JSON line per text, so training data
/// can be checked against the app's tokenizers (GPT-2 BPE for the GLIDE text encoder, or with <c>--clip</c> the CLIP
/// tokenizer of the noised-CLIP text graph).
/// </summary>
internal static class TokenizeCommand
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Keep prompts readable (é, “…”) in the output; the JSON is for files and pipes, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var text = new Argument<string?>("text")
        {
            Description = "The text to tokenize (or use --file).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var file = new Option<string?>("--file", "-f")
        {
            Description = "Tokenize each line of this UTF-8 file instead (- reads standard input); one JSON line out per line in.",
        };
        var clip = new Option<bool>("--clip")
        {
            Description = $"Use the CLIP tokenizer (context {ClipTokenizer.ContextLength}, start and end tokens included, " +
                          $"as the clip.text graph is fed) instead of GLIDE's GPT-2 BPE (context {GlideTokenizer.ContextLength}, no special tokens).",
        };

        var command = new Command(
            "tokenize",
            "Print the token ids of a text as one JSON line: {\"text\", \"tokens\", \"count\", \"truncated\"}.")
        {
            text, file, clip,
        };
        command.Validators.Add(result =>
        {
            var given = (result.GetValue(text) is null ? 0 : 1) + (result.GetValue(file) is null ? 0 : 1);
            if (given != 1)
            {
                result.AddError("give the text to tokenize exactly once: as an argument, or as --file <path> (- for standard input)");
            }
        });
        command.SetAction(parseResult => Execute(
            parseResult.GetValue(text), parseResult.GetValue(file), parseResult.GetValue(clip), input, output, error));
        return command;
    }

    public static int Execute(string? text, string? file, bool clip, TextReader input, TextWriter output, TextWriter error)
    {
        Func<string, TokenizedText> tokenize;
        if (clip)
        {
            var clipTokenizer = new ClipTokenizer();
            tokenize = t => TokenizedText.Clip(t, clipTokenizer);
        }
        else
        {
            var glideTokenizer = new GlideTokenizer();
            tokenize = t => TokenizedText.Glide(t, glideTokenizer);
        }

        if (text is not null)
        {
            return TryWrite(text, tokenize, output, error, lineNumber: null);
        }

        TextReader reader;
        try
        {
            reader = file == "-" ? input : new StreamReader(file!, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"glide tokenize: cannot read {file}: {e.Message}");
            return ExitCodes.BadInput;
        }

        try
        {
            var lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                var code = TryWrite(line, tokenize, output, error, lineNumber);
                if (code != ExitCodes.Success)
                {
                    return code;
                }
            }

            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"glide tokenize: cannot read {file}: {e.Message}");
            return ExitCodes.BadInput;
        }
        finally
        {
            if (!ReferenceEquals(reader, input))
            {
                reader.Dispose();
            }
        }
    }

    private static int TryWrite(
        string text, Func<string, TokenizedText> tokenize, TextWriter output, TextWriter error, int? lineNumber)
    {
        TokenizedText tokens;
        try
        {
            tokens = tokenize(text);
        }
        catch (Exception e) when (e is ArgumentException or EncoderFallbackException)
        {
            var where = lineNumber is { } n ? $"line {n}: " : string.Empty;
            error.WriteLine($"glide tokenize: {where}cannot tokenize the text: {e.Message}");
            return ExitCodes.BadInput;
        }

        output.WriteLine(ToJson(tokens));
        return ExitCodes.Success;
    }

    private static string ToJson(TokenizedText tokens)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("text", tokens.Text);
            writer.WriteStartArray("tokens");
            foreach (var id in tokens.Tokens)
            {
                writer.WriteNumberValue(id);
            }

            writer.WriteEndArray();
            writer.WriteNumber("count", tokens.Tokens.Count);
            writer.WriteBoolean("truncated", tokens.Truncated);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
