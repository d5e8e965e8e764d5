namespace Glide.Models;

/// <summary>One exported ONNX graph (<c>&lt;model&gt;.&lt;part&gt;</c>, e.g. <c>base.text</c>) and its signature.</summary>
public sealed record GraphSpec
{
    public required string Name { get; init; }

    /// <summary>Key of the model in <see cref="ModelManifest.Models"/>.</summary>
    public required string Model { get; init; }

    /// <summary>Path of the <c>.onnx</c> file, relative to the model directory.</summary>
    public required string File { get; init; }

    /// <summary>Lowercase hex SHA-256 of the <c>.onnx</c> file.</summary>
    public required string Sha256 { get; init; }

    public required IReadOnlyList<TensorSpec> Inputs { get; init; }

    public required IReadOnlyList<TensorSpec> Outputs { get; init; }

    public required VerifySpec Verify { get; init; }
}
