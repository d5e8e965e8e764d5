using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Glide.Diffusion;
using GlideFunctions.Webhooks;
using static GlideFunctions.Api.GenerationFields;

// Glide.Pipeline's GuidanceMode enum would clash with the GuidanceMode field name of GenerationFields.
using GuidanceModeNames = Glide.Pipeline.GuidanceModeNames;
using InpaintInputs = Glide.Pipeline.InpaintInputs;

namespace GlideFunctions.Api;

/// <summary>
/// Turns a create body (HTTP or queue message) into a <see cref="GenerationInput"/> with every default filled, or
/// into the full list of what is wrong with it: all errors at once, each naming its field, so that a client fixes
/// a request in one round trip. An inpainting body's image and mask are decoded and checked here too
/// (<see cref="InpaintIntake"/>), so a corrupt, truncated, oversized or bomb upload is a field error like any other.
/// </summary>
/// <remarks>
/// Strict by design: unknown fields (a misspelt <c>"promt"</c> would otherwise silently generate from nothing),
/// numbers sent as strings, fractions where integers are due, duplicate fields and trailing text are all errors.
/// JSON <c>null</c> means "absent" for every field.
/// </remarks>
public static class GenerationRequestParser
{
    private const int MaxCandidates = GenerationInput.MaxCandidates;

    // keep_top_rows keeps part of the 64 base rows: all 64 would leave nothing to generate.
    private const int MaxKeepTopRows = InpaintInputs.BaseSize - 1;

    private const string GuidanceModeExpected = "\"cfg\" (classifier-free guidance) or \"clip\" (CLIP guidance)";

    private const string UpsampleSamplerExpected =
        "\"ddim\" (DDIM steps with eta 0, the notebook's) or \"ancestral\" (ancestral steps)";

    // The body is one flat object holding one array; anything deeper is not a create body.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    private static readonly string EventNames =
        string.Join(", ", GenerationInput.AllWebhookEvents.Select(e => e.ToWireName()));

    /// <summary>Parses and validates a create body.</summary>
    /// <param name="body">UTF-8 JSON, possibly with a byte order mark; see <see cref="RequestBodyReader"/>.</param>
    /// <param name="options">Defaults to <see cref="GenerationParserOptions.Http"/>.</param>
    public static GenerationParseResult Parse(ReadOnlyMemory<byte> body, GenerationParserOptions? options = null)
    {
        options ??= GenerationParserOptions.Http;
        if (body.Length > options.MaxBodyBytes)
        {
            return BodyError(BodyTooLarge(options.MaxBodyBytes));
        }

        // RFC 8259 §8.1 lets a parser ignore a byte order mark; Utf8JsonReader would reject it.
        if (body.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            body = body[Encoding.UTF8.Preamble.Length..];
        }

        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return BodyError("the body is empty; send a JSON object such as {\"prompt\": \"a corgi\"}");
        }

        // System.Text.Json checks UTF-8 only when it decodes a string, and then throws; check it once, up front.
        if (!Utf8.IsValid(body.Span))
        {
            return BodyError("the body is not valid UTF-8 text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            return BodyError($"the body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return BodyError($"the body must be a JSON object, got {Texts.Describe(root.ValueKind)}");
            }

            var errors = new List<FieldError>();
            var fields = ReadFields(root, options, errors);
            return Validate(fields, options, errors);
        }
    }

    /// <summary>Validates an already typed body.</summary>
    /// <param name="body">A body built in code, e.g. by the bulk command before it enqueues it.</param>
    /// <param name="options">Defaults to <see cref="GenerationParserOptions.Http"/>.</param>
    public static GenerationParseResult Validate(CreateGenerationBody body, GenerationParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Validate(body, options ?? GenerationParserOptions.Http, []);
    }

    // Pass 1: JSON types. A field with the wrong type is reported here and left null in the body.
    private static CreateGenerationBody ReadFields(
        JsonElement root, GenerationParserOptions options, List<FieldError> errors)
    {
        var body = new CreateGenerationBody();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!TryGetName(property, out var name))
            {
                errors.Add(new(FieldError.Body, "a field name holds an unpaired surrogate escape such as \"\\ud800\""));
                continue;
            }

            var value = property.Value;
            if (!seen.Add(name))
            {
                errors.Add(new(Texts.Shorten(name), $"{Texts.Quote(name)} appears more than once in the body"));
                continue;
            }

            body = name switch
            {
                Prompt => body with { Prompt = JsonFieldReader.ReadString(value, name, errors) },
                NegativePrompt => body with { NegativePrompt = JsonFieldReader.ReadString(value, name, errors) },
                NumCandidates => body with { NumCandidates = ReadInt32(value, name, errors) },
                NumOutputs => body with { NumOutputs = ReadInt32(value, name, errors) },
                GuidanceScale => body with { GuidanceScale = JsonFieldReader.ReadNumber(value, name, errors) },
                GuidanceMode => body with
                {
                    GuidanceMode = JsonFieldReader.ReadString(value, name, errors, GuidanceModeExpected),
                },
                BaseSteps => body with { BaseSteps = ReadSteps(value, name, errors) },
                UpsampleSteps => body with { UpsampleSteps = ReadSteps(value, name, errors) },
                UpsampleSampler => body with
                {
                    UpsampleSampler = JsonFieldReader.ReadString(value, name, errors, UpsampleSamplerExpected),
                },
                Seed => body with
                {
                    Seed = JsonFieldReader.ReadInteger(value, name, 0, GenerationInput.MaxSeed, errors),
                },
                Rerank => body with { Rerank = JsonFieldReader.ReadBoolean(value, name, errors) },
                Webhook => body with { Webhook = JsonFieldReader.ReadString(value, name, errors, "a URL string") },
                WebhookEventsFilter => body with
                {
                    WebhookEventsFilter = JsonFieldReader.ReadStringArray(value, name, errors),
                },
                Image => body with { Image = JsonFieldReader.ReadString(value, name, errors, "a base64 string") },
                Mask => body with { Mask = JsonFieldReader.ReadString(value, name, errors, "a base64 string") },
                InvertMask => body with { InvertMask = JsonFieldReader.ReadBoolean(value, name, errors) },
                KeepTopRows => body with
                {
                    KeepTopRows = (int?)JsonFieldReader.ReadInteger(value, name, 0, MaxKeepTopRows, errors),
                },
                Id => body with { Id = JsonFieldReader.ReadString(value, name, errors) },
                _ => Unknown(body, name, options, errors),
            };
        }

        return body;
    }

    // Pass 2: values. Fields already reported in pass 1 are null and not reported again.
    private static GenerationParseResult Validate(
        CreateGenerationBody body, GenerationParserOptions options, List<FieldError> errors)
    {
        var typeErrors = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);

        if (body.Prompt is null && !typeErrors.Contains(Prompt))
        {
            errors.Add(new(Prompt, "prompt is required (the text to draw; \"\" samples unconditionally)"));
        }

        CheckText(body.Prompt, Prompt, errors);
        CheckText(body.NegativePrompt, NegativePrompt, errors);

        var candidates = body.NumCandidates ?? 1;
        var candidatesKnown = !typeErrors.Contains(NumCandidates)
                              && CheckRange(body.NumCandidates, NumCandidates, 1, MaxCandidates, errors);
        var outputs = body.NumOutputs ?? candidates;
        if (CheckRange(body.NumOutputs, NumOutputs, 1, MaxCandidates, errors) && candidatesKnown)
        {
            // A rerank of the wrong type is already reported; do not add "needs rerank" on top of it.
            CheckOutputs(outputs, candidates, body.Rerank ?? typeErrors.Contains(Rerank), errors);
        }

        // image marks an inpainting request (a wrongly typed one too, so it is not reported twice as text-to-image).
        var inpainting = body.Image is not null || typeErrors.Contains(Image);
        var guidance = body.GuidanceScale
                       ?? (inpainting ? GenerationInput.DefaultInpaintGuidanceScale : GenerationInput.DefaultGuidanceScale);
        if (!double.IsFinite(guidance)
            || guidance is < GenerationInput.MinGuidanceScale or > GenerationInput.MaxGuidanceScale)
        {
            errors.Add(new(GuidanceScale, string.Create(
                CultureInfo.InvariantCulture,
                $"guidance_scale must be between {GenerationInput.MinGuidanceScale} and " +
                $"{GenerationInput.MaxGuidanceScale}, got {Texts.Number(guidance)}")));
        }

        var guidanceMode = CheckGuidanceMode(body, inpainting, errors);
        var baseSteps = CheckSteps(body.BaseSteps ?? GenerationInput.DefaultBaseSteps, BaseSteps, errors);
        var upsampleSteps = CheckSteps(
            body.UpsampleSteps ?? GenerationInput.DefaultUpsampleSteps, UpsampleSteps, errors);
        var upsampleSampler = CheckUpsampleSampler(body.UpsampleSampler, inpainting, errors);
        CheckRange(body.Seed, Seed, 0, GenerationInput.MaxSeed, errors);

        Uri? webhook = null;
        if (body.Webhook is not null && !options.WebhooksEnabled)
        {
            errors.Add(new(Webhook, "webhooks are not enabled on this service (no signing secret is configured); " +
                                    "leave out webhook and poll the generation instead"));
        }
        else if (body.Webhook is not null)
        {
            // The rules the delivery applies again before every attempt (where it also resolves the host).
            var check = WebhookUrlRules.Check(
                body.Webhook, requireHttps: !options.AllowInsecureWebhooks, options.AllowPrivateWebhooks);
            if (check.IsAllowed)
            {
                webhook = check.Target;
            }
            else
            {
                errors.Add(new(Webhook, check.Reason!));
            }
        }

        var hasWebhook = body.Webhook is not null || typeErrors.Contains(Webhook);
        var events = CheckEvents(body.WebhookEventsFilter, hasWebhook, errors);

        var upload = CheckInpainting(body, inpainting, typeErrors, options, errors);

        if (body.Id is not null)
        {
            if (!options.AllowClientId)
            {
                errors.Add(new(Id, "id is accepted only in queue messages; the service names HTTP generations " +
                                   "(send an Idempotency-Key header to make retries safe)"));
            }
            else if (!GenerationIds.IsValid(body.Id))
            {
                errors.Add(new(Id, $"id must be 1 to {GenerationIds.MaxLength} ASCII letters, digits, '-' or '_' " +
                                   $"and must start with a letter or digit, got {Texts.Quote(body.Id)}"));
            }
        }

        if (errors.Count > 0)
        {
            return GenerationParseResult.Failure(errors);
        }

        var input = new GenerationInput
        {
            Prompt = body.Prompt!,
            NegativePrompt = body.NegativePrompt,
            NumCandidates = candidates,
            NumOutputs = outputs,
            GuidanceScale = guidance,
            GuidanceMode = guidanceMode!,
            BaseSteps = baseSteps!,
            UpsampleSteps = upsampleSteps!,
            UpsampleSampler = upsampleSampler,
            Seed = body.Seed,
            Rerank = body.Rerank ?? false,
            Webhook = webhook?.AbsoluteUri,
            WebhookEventsFilter = webhook is null ? null : events ?? GenerationInput.AllWebhookEvents,
            ImageSha256 = upload?.ImageSha256,
            MaskSha256 = upload?.MaskSha256,
            InvertMask = upload is null || body.Mask is null ? null : body.InvertMask ?? false,
            KeepTopRows = upload is null ? null : body.KeepTopRows,
        };
        return GenerationParseResult.Success(input, body.Id, upload?.Inputs);
    }

    // The mode's name (null after an error); what it cannot be combined with is reported on the other field.
    private static string? CheckGuidanceMode(CreateGenerationBody body, bool inpainting, List<FieldError> errors)
    {
        var name = body.GuidanceMode ?? GenerationInput.DefaultGuidanceMode;
        if (!GuidanceModeNames.All.Contains(name, StringComparer.Ordinal))
        {
            errors.Add(new(GuidanceMode, $"guidance_mode must be {GuidanceModeExpected}, got {Texts.Quote(name)}"));
            return null;
        }

        if (name != GuidanceModeNames.Clip)
        {
            return name;
        }

        if (inpainting)
        {
            errors.Add(new(GuidanceMode, "guidance_mode \"clip\" is not available for inpainting, which uses " +
                                         "classifier-free guidance; leave out guidance_mode or set it to \"cfg\""));
            return null;
        }

        if (body.NegativePrompt is not null)
        {
            // GenerationRequest.Validate refuses the same: CLIP guidance runs the prompt's row only.
            errors.Add(new(NegativePrompt, "negative_prompt needs classifier-free guidance: with guidance_mode " +
                                           "\"clip\" there is no unconditional row to replace; leave one of them out"));
        }

        return name;
    }

    // The sampler's name; null when wrong, or when absent (the API then fills in the model's:
    // GenerationInput.WithUpsampleSamplerIfMissing).
    private static string? CheckUpsampleSampler(string? name, bool inpainting, List<FieldError> errors)
    {
        if (name is null)
        {
            return null;
        }

        if (!SamplerKinds.TryParse(name, out _))
        {
            errors.Add(new(
                UpsampleSampler, $"upsample_sampler must be {UpsampleSamplerExpected}, got {Texts.Quote(name)}"));
            return null;
        }

        if (inpainting)
        {
            errors.Add(new(UpsampleSampler, "upsample_sampler applies to text-to-image: inpainting upsamples with " +
                                            "ancestral steps, as its notebook does; leave out upsample_sampler"));
            return null;
        }

        return name;
    }

    // The inpainting fields' combinations, then the uploads themselves (only when the combination is sound).
    private static InpaintUpload? CheckInpainting(
        CreateGenerationBody body, bool inpainting, HashSet<string> typeErrors, GenerationParserOptions options,
        List<FieldError> errors)
    {
        if (!inpainting)
        {
            foreach (var (field, present) in new[]
                     {
                         (Mask, body.Mask is not null), (KeepTopRows, body.KeepTopRows is not null),
                         (InvertMask, body.InvertMask is not null),
                     })
            {
                if (present)
                {
                    errors.Add(new(field, $"{field} needs image: it belongs to an inpainting request, which sends " +
                                          "the image to edit as base64 PNG in \"image\""));
                }
            }

            return null;
        }

        if (body.Rerank == true)
        {
            errors.Add(new(Rerank, "rerank is not available for inpainting (every image is kept); leave out rerank"));
        }

        // An image of the wrong JSON type is reported already; what goes with it cannot be judged without it.
        if (typeErrors.Contains(Image))
        {
            return null;
        }

        var hasMask = body.Mask is not null || typeErrors.Contains(Mask);
        var hasRows = body.KeepTopRows is not null || typeErrors.Contains(KeepTopRows);
        var sound = true;
        if (!hasMask && !hasRows)
        {
            errors.Add(new(Mask, "mask is required with image: send a PNG mask (white keeps, black is generated), " +
                                 "base64-encoded, or keep_top_rows"));
            sound = false;
        }
        else if (hasMask && hasRows)
        {
            errors.Add(new(KeepTopRows, "keep_top_rows replaces the mask: send either mask or keep_top_rows, not both"));
            sound = false;
        }
        else if (body.KeepTopRows is { } rows && (rows < 0 || rows > MaxKeepTopRows))
        {
            errors.Add(new(KeepTopRows, JsonFieldReader.OutOfRange(KeepTopRows, 0, MaxKeepTopRows, Texts.Number(rows))));
            sound = false;
        }
        else if (body.InvertMask is not null && !hasMask)
        {
            errors.Add(new(InvertMask, "invert_mask applies to a mask file only; keep_top_rows always keeps the top"));
            sound = false;
        }

        return sound && !typeErrors.Contains(Mask) && !typeErrors.Contains(KeepTopRows)
            ? InpaintIntake.Read(
                body.Image!, body.Mask, body.InvertMask ?? false, body.KeepTopRows, options.ImageLimits, errors)
            : null;
    }

    private static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = string.Empty;
            return false;
        }
    }

    private static int? ReadInt32(JsonElement value, string field, List<FieldError> errors) =>
        (int?)JsonFieldReader.ReadInteger(value, field, 1, MaxCandidates, errors);

    private static string? ReadSteps(JsonElement value, string field, List<FieldError> errors) =>
        JsonFieldReader.ReadString(
            value, field, errors, "a respacing string such as \"100\", \"ddim50\" or \"fast27\"");

    private static CreateGenerationBody Unknown(
        CreateGenerationBody body, string name, GenerationParserOptions options, List<FieldError> errors)
    {
        var fields = options.AllowClientId ? All : All.Where(field => field != Id).ToList();
        var suggestions = Suggest(name, fields);
        errors.Add(new(Texts.Shorten(name), suggestions.Count == 0
            ? $"{Texts.Quote(name)} is not a field of this request; the fields are {string.Join(", ", fields)}"
            : $"{Texts.Quote(name)} is not a field of this request; did you mean " +
              $"{string.Join(" or ", suggestions.Select(f => $"'{f}'"))}?"));
        return body;
    }

    // The known field nearest to a misspelt one, if it is near enough to be the likely intent; or every field the
    // name is the first word of ("guidance" → guidance_scale, guidance_mode).
    private static IReadOnlyList<string> Suggest(string name, IReadOnlyList<string> fields)
    {
        var lower = name.ToLowerInvariant();
        var budget = Math.Clamp(name.Length / 3, 1, 2);
        var best = fields
            .Select(field => (Field: field, Distance: EditDistance(lower, field)))
            .MinBy(candidate => candidate.Distance);
        return best.Distance <= budget
            ? [best.Field]
            : [.. fields.Where(field => field.StartsWith(lower + "_", StringComparison.Ordinal))];
    }

    // Levenshtein distance; both strings are short field names.
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static void CheckText(string? text, string field, List<FieldError> errors)
    {
        if (text is null)
        {
            return;
        }

        // Counted in Unicode scalar values; a lone surrogate (possible only through Validate) has no UTF-8 form.
        var length = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                errors.Add(new(field, $"{field} must be valid Unicode text; it holds an unpaired surrogate"));
                return;
            }

            rest = rest[used..];
            length++;
        }

        if (length > GenerationInput.MaxPromptLength)
        {
            errors.Add(new(field, string.Create(
                CultureInfo.InvariantCulture,
                $"{field} is {length:N0} characters long; the limit is {GenerationInput.MaxPromptLength:N0}")));
        }
    }

    // True when the value is absent or in range (pass 1 checked JSON input already; this covers Validate).
    private static bool CheckRange(long? value, string field, long min, long max, List<FieldError> errors)
    {
        if (value is null || (value >= min && value <= max))
        {
            return true;
        }

        errors.Add(new(field, JsonFieldReader.OutOfRange(field, min, max, Texts.Number(value.Value))));
        return false;
    }

    private static void CheckOutputs(int outputs, int candidates, bool rerank, List<FieldError> errors)
    {
        if (outputs > candidates)
        {
            errors.Add(new(NumOutputs, $"num_outputs ({outputs}) cannot exceed num_candidates ({candidates})"));
        }
        else if (outputs < candidates && !rerank)
        {
            // Without reranking nothing chooses which candidates to keep: the extra ones would be sampled for nothing.
            errors.Add(new(NumOutputs, $"num_outputs ({outputs}) below num_candidates ({candidates}) needs " +
                                       "\"rerank\": true to choose the best candidates"));
        }
    }

    private static string? CheckSteps(string spec, string field, List<FieldError> errors)
    {
        try
        {
            Respacing.Parse(spec);
            return spec.Trim();
        }
        catch (ArgumentException e)
        {
            errors.Add(new(field, $"{field}: {MessageOf(e)}"));
            return null;
        }
    }

    private static IReadOnlyList<WebhookEventType>? CheckEvents(
        IReadOnlyList<string>? names, bool hasWebhook, List<FieldError> errors)
    {
        if (names is null)
        {
            return null;
        }

        if (!hasWebhook)
        {
            errors.Add(new(WebhookEventsFilter, "webhook_events_filter has no effect without a webhook"));
        }

        if (names.Count == 0)
        {
            errors.Add(new(WebhookEventsFilter, $"webhook_events_filter must name at least one of {EventNames}; " +
                                                "leave it out to receive every event"));
            return null;
        }

        var wanted = new HashSet<WebhookEventType>();
        var valid = true;
        for (var i = 0; i < names.Count; i++)
        {
            if (WebhookEventNames.TryParse(names[i], out var match))
            {
                wanted.Add(match.Value);
            }
            else
            {
                errors.Add(new(WebhookEventsFilter, $"webhook_events_filter[{i}] is {Texts.Quote(names[i])}; " +
                                                    $"the events are {EventNames}"));
                valid = false;
            }
        }

        // Distinct and in emission order, so ["completed", "start", "start"] and ["start", "completed"] are one input.
        return valid ? GenerationInput.AllWebhookEvents.Where(wanted.Contains).ToArray() : null;
    }

    // ArgumentException appends " (Parameter 'spec')" to the message Respacing wrote; clients need only the latter.
    private static string MessageOf(ArgumentException e)
    {
        var suffix = $" (Parameter '{e.ParamName}')";
        return e.ParamName is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal)
            ? e.Message[..^suffix.Length]
            : e.Message;
    }

    /// <summary>The message for a body longer than <paramref name="maxBodyBytes"/> (JSON or multipart).</summary>
    internal static string BodyTooLarge(int maxBodyBytes) => string.Create(
        CultureInfo.InvariantCulture, $"the body is larger than the limit of {maxBodyBytes:N0} bytes");

    private static GenerationParseResult BodyError(string message) =>
        GenerationParseResult.Failure([new(FieldError.Body, message)]);
}
