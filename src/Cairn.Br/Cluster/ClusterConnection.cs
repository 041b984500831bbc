using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Br.Cluster;

/// <summary>
/// What a job holds of the cluster: the pd client, pd's HTTP API, a transactional client with the catalog at any
/// timestamp, coprocessor checksums, and channels to the stores (shared with the client's region cache).
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClients;

    private ClusterConnection(PdClient pd, string pdHttpAddress, TxnClient? borrowed = null)
    {
        Pd = pd;
        PdHttpAddress = pdHttpAddress;
        _ownsClients = borrowed is null;
        Txn = borrowed ?? new TxnClient(pd);
        Catalog = new CatalogClient(Txn);
        Checksums = new TableChecksum(Txn);
        // pd's HTTP API takes the TLS setting of the pd client: the same CA and client certificate.
        _http = pd.Options.Tls is { } tls
            ? new HttpClient(tls.CreateClientHandler(), disposeHandler: true) { BaseAddress = new Uri(pdHttpAddress), Timeout = TimeSpan.FromSeconds(10) }
            : new HttpClient { BaseAddress = new Uri(pdHttpAddress), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The pd client.</summary>
    public PdClient Pd { get; }

    /// <summary>pd's HTTP API base address, e.g. <c>http://127.0.0.1:2380</c>.</summary>
    public string PdHttpAddress { get; }

    /// <summary>The transactional client (region cache, lock resolver, store channels).</summary>
    public TxnClient Txn { get; }

    /// <summary>The catalog, read at the backup's timestamp.</summary>
    public CatalogClient Catalog { get; }

    /// <summary>Coprocessor table checksums.</summary>
    public TableChecksum Checksums { get; }

    /// <summary>The cluster id pd reported.</summary>
    public ulong ClusterId => Pd.ClusterId;

    /// <summary>
    /// Connects to pd at <paramref name="addresses"/> and finds its HTTP API. pd serves HTTP on a port of its own
    /// (Kestrel cannot tell HTTP/1.1 from prior-knowledge HTTP/2 on one cleartext port) and advertises it as its
    /// member's peer URL; a pd that advertises none is assumed to serve HTTP on the port after its gRPC port, pd's
    /// default.
    /// </summary>
    /// <exception cref="BrException">No pd answered within <paramref name="timeout"/>.</exception>
    public static Task<ClusterConnection> ConnectAsync(IReadOnlyList<string> addresses, TimeSpan timeout, CancellationToken cancellationToken) =>
        ConnectAsync(addresses, timeout, tls: null, cancellationToken);

    /// <summary>
    /// As <see cref="ConnectAsync(IReadOnlyList{string}, TimeSpan, CancellationToken)"/>, with mutual TLS to pd (gRPC
    /// and HTTP) and the stores when <paramref name="tls"/> is set.
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(IReadOnlyList<string> addresses, TimeSpan timeout, Cairn.Rpc.Security.TlsSettings? tls, CancellationToken cancellationToken)
    {
        PdClient pd;
        try
        {
            pd = await PdClient.ConnectAsync(addresses, new PdClientOptions { RetryTimeout = timeout, RequestTimeout = Min(timeout, TimeSpan.FromSeconds(10)), Tls = tls }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (PdException e) when (!e.IsTransient)
        {
            // A TLS refusal or mismatch (or another cluster): its message names the fix; "is pd running there?" would mislead.
            throw new BrException("ErrPDUnreachable", $"cannot connect to pd at {string.Join(", ", addresses)}: {e.Detail}", e);
        }
        catch (ArgumentException e) when (e.Message.Contains("TLS", StringComparison.Ordinal))
        {
            throw new BrException("ErrInvalidArgument", $"--pd {e.Message[..(e.Message.IndexOf(" (Parameter", StringComparison.Ordinal) is var i and >= 0 ? i : e.Message.Length)]}", e);
        }
        catch (Exception e) when (e is PdException or RpcException or HttpRequestException or ArgumentException or UriFormatException)
        {
            throw new BrException("ErrPDUnreachable", $"cannot connect to pd at {string.Join(", ", addresses)}: is pd running there? check -u/--pd", e);
        }

        try
        {
            var http = await FindHttpAddressAsync(pd, cancellationToken).ConfigureAwait(false);
            return new ClusterConnection(pd, http);
        }
        catch
        {
            await pd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A connection over a caller's transactional client and its pd client, which stay the caller's: disposing the
    /// connection leaves both open.
    /// </summary>
    public static async Task<ClusterConnection> OverAsync(TxnClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var http = await FindHttpAddressAsync(client.Cache.Pd, cancellationToken).ConfigureAwait(false);
        return new ClusterConnection(client.Cache.Pd, http, client);
    }

    /// <summary>pd's cluster version as the raw JSON body of <c>/pd/api/v1/config/cluster-version</c> (a quoted string), as BR stores it.</summary>
    public async Task<string> GetClusterVersionJsonAsync(CancellationToken cancellationToken)
    {
        var body = await GetStringAsync("/pd/api/v1/config/cluster-version", cancellationToken).ConfigureAwait(false);
        return body.Trim();
    }

    /// <summary>How many regions intersect <c>[start, end)</c> (region keys, empty end = unbounded), from pd's region stats.</summary>
    public async Task<long> CountRegionsAsync(byte[] regionStart, byte[] regionEnd, CancellationToken cancellationToken)
    {
        var path = new StringBuilder("/pd/api/v1/stats/region?start_key=").Append(Escape(regionStart)).Append("&end_key=").Append(Escape(regionEnd)).ToString();
        var body = await GetStringAsync(path, cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("count", out var count) ? count.GetInt64() : 0;
    }

    /// <summary>Whether pd lists a live service safepoint named <paramref name="serviceId"/>.</summary>
    public async Task<bool> HasServiceSafePointAsync(string serviceId, CancellationToken cancellationToken)
    {
        var body = await GetStringAsync("/pd/api/v1/gc/safepoint", cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(body);
        if (!json.RootElement.TryGetProperty("service_gc_safe_points", out var points))
        {
            return false;
        }

        foreach (var point in points.EnumerateArray())
        {
            if (point.TryGetProperty("service_id", out var id) && id.GetString() == serviceId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Moves pd's TSO above <paramref name="ts"/> (<c>POST /pd/api/v1/admin/reset-ts</c>), as a full restore does so
    /// that new transactions commit after the restored data. pd's 403 for a TSO already above is success.
    /// </summary>
    public async Task ResetTsAsync(ulong ts, CancellationToken cancellationToken)
    {
        const string Path = "/pd/api/v1/admin/reset-ts";
        try
        {
            using var content = new StringContent($"{{\"tso\":\"{ts}\"}}", System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(Path, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || (response.StatusCode == System.Net.HttpStatusCode.Forbidden && body.Contains("smaller than the current", StringComparison.Ordinal)))
            {
                return;
            }

            throw new BrException("ErrPDInvalidResponse", $"pd {PdHttpAddress}{Path} answered {(int)response.StatusCode}: {body.Trim()}", isTransient: (int)response.StatusCode >= 500);
        }
        catch (HttpRequestException e)
        {
            throw new BrException("ErrPDUnreachable", $"pd's HTTP API at {PdHttpAddress} cannot be reached: {e.Message}", e, isTransient: true);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrException("ErrPDUnreachable", $"pd's HTTP API at {PdHttpAddress} did not answer {Path} within 10 s", e, isTransient: true);
        }
    }

    /// <summary>The channel to a store (shared with the region cache).</summary>
    public RpcChannel StoreChannel(Store store) => Txn.Cache.GetChannel(string.IsNullOrEmpty(store.PeerAddress) ? store.Address : store.PeerAddress);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_ownsClients)
        {
            await Txn.DisposeAsync().ConfigureAwait(false);
            await Pd.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Escape(byte[] key)
    {
        var text = new StringBuilder(key.Length * 3);
        foreach (var b in key)
        {
            text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static async Task<string> FindHttpAddressAsync(PdClient pd, CancellationToken cancellationToken)
    {
        var leader = pd.LeaderAddress ?? throw new BrException("ErrPDUnreachable", "pd has no leader: wait for pd to elect one and retry");
        var members = await pd.GetChannel(leader).Pd.GetMembersAsync(new GetMembersRequest { Header = new RequestHeader { ClusterId = pd.ClusterId } },
            RpcChannel.CallOptions(new RpcCallOptions { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken)).ResponseAsync.ConfigureAwait(false);
        var peerUrl = members.Leader?.PeerUrls.FirstOrDefault();
        if (!string.IsNullOrEmpty(peerUrl))
        {
            var advertised = new Uri(peerUrl.Contains("://", StringComparison.Ordinal) ? peerUrl : "http://" + peerUrl);
            // Our TLS setting picks the scheme; pd's advertisement gives host and port only.
            return new UriBuilder(pd.Options.Tls is null ? "http" : "https", advertised.Host, advertised.Port).Uri.GetLeftPart(UriPartial.Authority);
        }

        var grpc = new Uri(leader);
        return new UriBuilder(grpc.Scheme, grpc.Host, grpc.Port + 1).Uri.GetLeftPart(UriPartial.Authority);
    }

    private async Task<string> GetStringAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new BrException("ErrPDInvalidResponse", $"pd {PdHttpAddress}{path.Split('?')[0]} answered {(int)response.StatusCode}: {body.Trim()}", isTransient: (int)response.StatusCode >= 500);
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            throw new BrException("ErrPDUnreachable", $"pd's HTTP API at {PdHttpAddress} cannot be reached: {e.Message}", e, isTransient: true);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrException("ErrPDUnreachable", $"pd's HTTP API at {PdHttpAddress} did not answer {path.Split('?')[0]} within 10 s", e, isTransient: true);
        }
    }
}
