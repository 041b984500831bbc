using System.Text;

namespace Cairn.Storage.Tests;

/// <summary>
/// Passes requests on to the real server unchanged and remembers their method, URL and (small, buffered) bodies,
/// for checking what the GCS backend sends where the emulator does not reflect it back.
/// </summary>
public sealed class GcsRequestRecorder : DelegatingHandler
{
    private const int MaxRecordedBody = 64 * 1024;
    private readonly List<(string Method, Uri Uri, string Body)> _requests = [];

    public GcsRequestRecorder()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>The requests seen so far, in order.</summary>
    public IReadOnlyList<(string Method, Uri Uri, string Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = "";
        // Only bodies of known, small length are read here; streaming bodies must stay streaming.
        if (request.Content is { } content && content.Headers.ContentLength is { } length && length <= MaxRecordedBody)
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            body = Encoding.UTF8.GetString(bytes);
        }
        lock (_requests)
        {
            _requests.Add((request.Method.Method, request.RequestUri!, body));
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
