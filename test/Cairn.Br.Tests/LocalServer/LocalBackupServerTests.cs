using System.Net;
using System.Net.Sockets;
using System.Text;
using Cairn.Br.LocalServer;
using Cairn.Rpc.Security;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Cairn.Storage.Served;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Br.Tests.LocalServer;

/// <summary>
/// br's local backup server on its own, through the stores' client (<see cref="ServedStorage"/>, opened from the
/// backend message as a store opens it) and through raw HTTP: every operation, a wrong token, paths that try to
/// leave the folder, and an upload broken off half-way.
/// </summary>
public sealed class LocalBackupServerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("br-local-server");
    private LocalBackupServer _server = null!;

    private string Folder => _dir.Sub("served");

    public async Task InitializeAsync() =>
        _server = await LocalBackupServer.StartAsync(Folder, new IPEndPoint(IPAddress.Loopback, 0), "127.0.0.1", null, NullLogger.Instance, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<IExternalStorage> OpenAsync(string? token = null)
    {
        var options = token is null ? _server.StorageOptions : _server.StorageOptions with { Token = token };
        return await StorageBackends.OpenAsync(StorageBackends.ForLocalServer(options), new StorageOpenOptions { Retry = RetryPolicy.None }, CancellationToken.None);
    }

    [Fact]
    public async Task Uploads_land_in_the_folder_and_read_back_whole_ranged_listed_and_deleted()
    {
        await using var storage = await OpenAsync();
        var data = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 7)).ToArray();
        await using (var writer = await storage.CreateAsync("sub/1_2_3_x.sst"))
        {
            for (var i = 0; i < data.Length; i += 700_000)
            {
                await writer.WriteAsync(data.AsMemory(i, Math.Min(700_000, data.Length - i)));
            }

            Assert.False(File.Exists(Path.Combine(Folder, "sub/1_2_3_x.sst")));
            await writer.CompleteAsync();
        }

        await storage.WriteAllAsync("backupmeta", "meta"u8.ToArray());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(Folder, "sub/1_2_3_x.sst")));
        Assert.Equal(data, await storage.ReadAllAsync("sub/1_2_3_x.sst"));
        await using (var ranged = await storage.OpenReadAsync("sub/1_2_3_x.sst", 1_000_001, 17))
        {
            var part = new byte[17];
            await ranged.ReadExactlyAsync(part);
            Assert.Equal(data.AsSpan(1_000_001, 17).ToArray(), part);
            Assert.Equal(0, await ranged.ReadAsync(new byte[1]));
        }

        await using (var past = await storage.OpenReadAsync("backupmeta", 100))
        {
            Assert.Equal(0, await past.ReadAsync(new byte[1]));
        }

        var listed = new List<StorageObject>();
        await foreach (var item in storage.ListAsync())
        {
            listed.Add(item);
        }

        Assert.Equal([new StorageObject("backupmeta", 4), new StorageObject("sub/1_2_3_x.sst", data.Length)], listed.OrderBy(o => o.Path, StringComparer.Ordinal));
        Assert.True(await storage.ExistsAsync("backupmeta"));
        await storage.DeleteAsync("backupmeta");
        Assert.False(await storage.ExistsAsync("backupmeta"));
        var missing = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("backupmeta"));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task A_wrong_or_missing_token_is_refused_with_401_and_a_clear_error()
    {
        await using var storage = await OpenAsync(token: "0123456789abcdef-not-the-token");
        var refused = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync("x.sst", "data"u8.ToArray()));
        Assert.Equal(StorageErrorKind.AccessDenied, refused.Kind);
        Assert.False(refused.IsTransient);
        Assert.Contains("HTTP 401: wrong or missing bearer token", refused.Message, StringComparison.Ordinal);
        Assert.Contains("accepts only the token of the job that started it", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Token, refused.Message, StringComparison.Ordinal);

        await using (var writer = await storage.CreateAsync("streamed.sst"))
        {
            var streamed = await Assert.ThrowsAsync<StorageException>(async () =>
            {
                await writer.WriteAsync(new byte[100_000]);
                await writer.CompleteAsync();
            });
            Assert.Equal(StorageErrorKind.AccessDenied, streamed.Kind);
        }

        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri(_server.Endpoint, "/list"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(Directory.Exists(Folder) && Directory.EnumerateFileSystemEntries(Folder).Any());
    }

    [Fact]
    public async Task Paths_that_leave_the_folder_are_refused_and_touch_nothing()
    {
        Directory.CreateDirectory(Folder);
        foreach (var path in new[] { "/objects/a%2F..%2F..%2Fescaped", "/objects/..%2Fescaped", "/objects/a//b", "/objects/%2E%2E/%2E%2E/escaped" })
        {
            var (status, _) = await RawAsync("PUT", path, "evil");
            Assert.True(status is 400 or 404, $"PUT {path} answered {status}");
        }

        Assert.False(File.Exists(_dir.Sub("escaped")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_dir.Path)!, "escaped")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Folder));
        var (dotStatus, body) = await RawAsync("PUT", "/objects/a%2F..%2Fb", "evil");
        Assert.Equal(400, dotStatus);
        Assert.Contains("invalid storage path", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_broken_off_half_way_publishes_nothing()
    {
        await using var storage = await OpenAsync();
        await using (var writer = await storage.CreateAsync("half.sst"))
        {
            await writer.WriteAsync(new byte[2_000_000]);
        }

        await Eventually.UntilAsync(() => Task.FromResult(!Directory.Exists(Folder) || !Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(10), "the temporary file of the abandoned upload to be removed");
        Assert.False(await storage.ExistsAsync("half.sst"));
    }

    [Fact]
    public async Task With_tls_the_server_speaks_https_and_takes_only_clients_of_the_cluster_ca()
    {
        var certs = _dir.Sub("certs");
        using var ca = TlsCertificateAuthority.Create();
        ca.WriteTo(certs);
        TlsSettings Issue(string name)
        {
            var (cert, key) = ca.IssueTo(certs, name, name, names: TlsCertificateAuthority.LoopbackNames);
            return new TlsSettings { CaFile = Path.Combine(certs, TlsCertificateAuthority.CaFileName), CertFile = cert, KeyFile = key };
        }

        var storeTls = Issue("store");
        await using var server = await LocalBackupServer.StartAsync(_dir.Sub("tls-served"), new IPEndPoint(IPAddress.Loopback, 0), "127.0.0.1", Issue("br"), NullLogger.Instance, CancellationToken.None);
        Assert.Equal("https", server.Endpoint.Scheme);
        var backend = StorageBackends.ForLocalServer(server.StorageOptions);
        await using (var storage = await StorageBackends.OpenAsync(backend, new StorageOpenOptions { Retry = RetryPolicy.None, ServedHttpHandler = storeTls.CreateClientHandler }, CancellationToken.None))
        {
            await storage.WriteAllAsync("1_2_3_x.sst", "over tls"u8.ToArray());
            Assert.Equal("over tls"u8.ToArray(), await storage.ReadAllAsync("1_2_3_x.sst"));
        }

        // A client without a certificate of the cluster's CA gets no answer at all.
        var noCertificate = () => new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        await using (var intruder = await StorageBackends.OpenAsync(backend, new StorageOpenOptions { Retry = RetryPolicy.None, ServedHttpHandler = noCertificate }, CancellationToken.None))
        {
            var refused = await Assert.ThrowsAsync<StorageException>(async () => await intruder.ReadAllAsync("1_2_3_x.sst"));
            Assert.Equal(StorageErrorKind.Network, refused.Kind);
        }
    }

    // A request written by hand, so that the path reaches the server exactly as given (HttpClient would normalise it).
    private async Task<(int Status, string Body)> RawAsync(string method, string path, string body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _server.Endpoint.Port);
        await using var stream = client.GetStream();
        var request = $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {_server.Token}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();
        var status = int.Parse(answer.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, answer);
    }
}
