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
    private readonly List<(string Method, Uri Uri, string? ContentRange, int Status)> _exchanges = [];
    private readonly List<string?> _authorizations = [];

    public GcsRequestRecorder()
        : base(new SocketsHttpHandler { AllowAutoRedirect = false })
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

    /// <summary>Every request's method, URL and Content-Range, with the status it got (0 when it failed), in order.</summary>
    public IReadOnlyList<(string Method, Uri Uri, string? ContentRange, int Status)> Exchanges
    {
        get
        {
            lock (_requests)
            {
                return [.. _exchanges];
            }
        }
    }

    /// <summary>The Authorization header of every request (null when absent), in order.</summary>
    public IReadOnlyList<string?> Authorizations
    {
        get
        {
            lock (_requests)
            {
                return [.. _authorizations];
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
            if (content.Headers.ContentEncoding.Contains("gzip"))
            {
                // The GCS SDK compresses JSON request bodies.
                using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await unzip.CopyToAsync(plain, cancellationToken);
                bytes = plain.ToArray();
            }
            body = Encoding.UTF8.GetString(bytes);
        }
        lock (_requests)
        {
            _requests.Add((request.Method.Method, request.RequestUri!, body));
            _authorizations.Add(request.Headers.Authorization?.ToString());
        }
        var contentRange = request.Content is { } c && c.Headers.NonValidated.TryGetValues("Content-Range", out var values) ? string.Join(",", values) : null;
        var status = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            return response;
        }
        finally
        {
            lock (_requests)
            {
                _exchanges.Add((request.Method.Method, request.RequestUri!, contentRange, status));
            }
        }
    }
}
