using System.Text;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>What <see cref="LoopbackHttpServer"/> answers: a status and headers, always with an empty body.</summary>
internal sealed record LoopbackResponse(int Status, params (string Name, string Value)[] Headers)
{
    public byte[] ToBytes()
    {
        var text = new StringBuilder()
            .Append("HTTP/1.1 ").Append(Status).Append(" Status\r\n")
            .Append("Content-Length: 0\r\nConnection: close\r\n");
        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }
}
