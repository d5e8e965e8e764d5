using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Glide.Models;

namespace Glide.Tests.Models;

/// <summary>
/// A structurally valid model directory with placeholder graph bytes: enough for <see cref="ModelManifest.Load"/>,
/// which hashes files but never opens them with ONNX Runtime. Tests edit <see cref="Json"/> and then <see cref="Save"/>.
/// </summary>
internal sealed class ManifestBuilder
{
    private static readonly byte[] GraphBytes = "placeholder onnx bytes"u8.ToArray();

    public ManifestBuilder(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "verify"));
        File.WriteAllBytes(Path.Combine(directory, "base.text.onnx"), GraphBytes);
        File.WriteAllBytes(Path.Combine(directory, "verify", "base.text.npz"), []);
        Json = new JsonObject
        {
            ["format"] = "glide-onnx-manifest",
            ["format_version"] = 1,
            ["exporter_version"] = "0.1.0",
            ["opset"] = 17,
            ["config"] = "tiny",
            ["models"] = new JsonObject
            {
                ["base"] = new JsonObject
                {
                    ["kind"] = "base",
                    ["options"] = new JsonObject { ["xf_width"] = 32, ["use_fp16"] = false },
                    ["param_count"] = 1234,
                    ["source"] = new JsonObject { ["kind"] = "random", ["seed"] = 0 },
                },
            },
            ["graphs"] = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = "base.text",
                    ["model"] = "base",
                    ["file"] = "base.text.onnx",
                    ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(GraphBytes)),
                    ["inputs"] = new JsonArray
                    {
                        Tensor("tokens", "int64", "batch", 128),
                        Tensor("mask", "bool", "batch", 128),
                    },
                    ["outputs"] = new JsonArray
                    {
                        Tensor("xf_proj", "float32", "batch", 64),
                        Tensor("xf_out", "float32", "batch", 32, 128),
                    },
                    ["verify"] = new JsonObject { ["file"] = "verify/base.text.npz", ["batch"] = 2 },
                },
            },
        };
    }

    public string Directory { get; }

    public JsonObject Json { get; }

    public JsonObject Graph => Json["graphs"]![0]!.AsObject();

    public string ManifestPath => Path.Combine(Directory, ModelManifest.FileName);

    public string Save()
    {
        File.WriteAllText(ManifestPath, Json.ToJsonString());
        return Directory;
    }

    private static JsonObject Tensor(string name, string dtype, params JsonNode[] shape) => new()
    {
        ["name"] = name,
        ["dtype"] = dtype,
        ["shape"] = new JsonArray(shape),
    };
}
