namespace Glide.Imaging;

/// <summary>
/// An uploaded image or mask that cannot be used: not a PNG, corrupt or truncated, over a limit of
/// <see cref="ImageLimits"/>, or a mask with nothing to generate. <see cref="ArgumentException.ParamName"/> names the
/// input ("image" or "mask") so an HTTP API can answer 400 naming the field; <see cref="Exception.Message"/> is a
/// complete sentence for a person, without the parameter suffix <see cref="ArgumentException"/> would add.
/// </summary>
public sealed class InvalidImageException : ArgumentException
{
    public InvalidImageException(string field, string message, Exception? innerException = null)
        : base(message, field, innerException)
    {
        Reason = message;
    }

    /// <summary>"image" or "mask" (the input's name).</summary>
    public string Field => ParamName!;

    /// <summary>What is wrong, without the field name.</summary>
    public string Reason { get; }

    public override string Message => $"{Field}: {Reason}";
}
