using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;

namespace Cairn.Rpc.Tests;

/// <summary>A bare HTTP/2 client for checking what the server puts on the wire.</summary>
internal static class RawHttp
{
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public static byte[] Frame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient http, string url, byte[] body, (string Name, string Value)? header = null, string contentType = "application/grpc")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (header is { } h)
        {
            request.Headers.TryAddWithoutValidation(h.Name, h.Value);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>grpc-status from the headers (trailers-only) or the trailers; read the body first.</summary>
    public static string? Status(HttpResponseMessage response) => Header(response, "grpc-status");

    public static string? Message(HttpResponseMessage response) => Header(response, "grpc-message");

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
}
