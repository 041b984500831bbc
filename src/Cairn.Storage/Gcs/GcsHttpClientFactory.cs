using Google.Apis.Http;

namespace Cairn.Storage.Gcs;

/// <summary>Lets the SDK's HTTP client send through a handler the caller owns (tests record requests with one).</summary>
internal sealed class GcsHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new NotDisposing(handler);

    /// <summary>The SDK disposes its handler chain with its client; the caller's handler must outlive it.</summary>
    private sealed class NotDisposing(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _invoker.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
