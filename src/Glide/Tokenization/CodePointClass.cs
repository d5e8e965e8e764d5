namespace Glide.Tokenization;

/// <summary>
/// What the GPT-2 and CLIP split patterns tell apart (<c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c>, the rest), per code
/// point. The patterns run in Python's <c>regex</c> module on code points; .NET's <c>Regex</c> runs on UTF-16 units and
/// would see a supplementary letter (e.g. U+20000) as two non-letters, so the splitters classify runes themselves.
/// </summary>
internal enum CodePointClass
{
    Letter,
    Number,
    Space,
    Other,
}
