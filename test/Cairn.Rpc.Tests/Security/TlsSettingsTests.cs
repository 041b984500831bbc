using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Security;

namespace Cairn.Rpc.Tests.Security;

/// <summary>
/// TLS settings on their own: the files' checks (each failure names the file and the fix), the address rules, and an
/// in-process TLS server: a call with a certificate from our CA goes through, a CN that is not allowed is refused
/// with the CN named, and a cleartext channel never reaches the service.
/// </summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new("tls-settings");
    private readonly TlsCertificateAuthority _ca = TlsCertificateAuthority.Create();

    public TlsSettingsTests() => _ca.WriteTo(_dir.Path);

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Each_unusable_file_is_refused_naming_it()
    {
        var (cert, key) = _ca.IssueTo(_dir.Path, "a", "a");
        var (_, otherKey) = _ca.IssueTo(_dir.Path, "b", "b");
        var (old, oldKey) = _ca.IssueTo(_dir.Path, "old", "old", expired: true);
        var ca = Path.Combine(_dir.Path, "ca.pem");
        var text = _dir.Sub("text.pem");
        File.WriteAllText(text, "not a certificate");

        Assert.Null(TlsSettings.FromFlags(null, null, null));
        Assert.Equal(cert, TlsSettings.FromFlags(ca, cert, key)!.CertFile);
        Assert.Contains("--key missing", Refusal(() => TlsSettings.FromFlags(ca, cert, null)), StringComparison.Ordinal);
        Assert.Contains("--cert-allowed-cn needs TLS", Refusal(() => TlsSettings.FromFlags(null, null, null, ["x"])), StringComparison.Ordinal);
        Assert.Contains("no such file", Refusal(() => TlsSettings.FromFlags(_dir.Sub("none.pem"), cert, key)), StringComparison.Ordinal);
        Assert.Contains("holds no PEM certificate", Refusal(() => TlsSettings.FromFlags(ca, text, key)), StringComparison.Ordinal);
        Assert.Contains("holds no PEM private key", Refusal(() => TlsSettings.FromFlags(ca, cert, text)), StringComparison.Ordinal);
        Assert.Contains("does not belong to --cert", Refusal(() => TlsSettings.FromFlags(ca, cert, otherKey)), StringComparison.Ordinal);
        Assert.Contains("expired on", Refusal(() => TlsSettings.FromFlags(ca, old, oldKey)), StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c"], TlsSettings.SplitCommonNames(["a,b", " c ", "a"]));
    }

    [Theory]
    [InlineData("127.0.0.1:1", false, "http://127.0.0.1:1/")]
    [InlineData("127.0.0.1:1", true, "https://127.0.0.1:1/")]
    [InlineData("https://127.0.0.1:1", true, "https://127.0.0.1:1/")]
    [InlineData("http://127.0.0.1:1", true, null)]
    [InlineData("https://127.0.0.1:1", false, null)]
    public void Addresses_follow_the_tls_setting(string address, bool tls, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<ArgumentException>(() => RpcChannel.ParseAddress(address, tls));
        }
        else
        {
            Assert.Equal(expected, RpcChannel.ParseAddress(address, tls).ToString());
        }
    }

    [Fact]
    public async Task A_tls_server_serves_our_clients_refuses_other_cns_by_name_and_cleartext_at_the_transport()
    {
        var server = Settings("server", ["client"]);
        var client = Settings("client", []);
        var intruder = Settings("intruder", []);
        await using var rpc = new RpcServer(new RpcServerOptions { Tls = server });
        rpc.AddService(new TestTikv(rawGet: (_, _) => Task.FromResult(new RawGetResponse { Value = Google.Protobuf.ByteString.CopyFromUtf8("ok") })));
        await rpc.StartAsync(TestHost.Guard);
        Assert.StartsWith("https://", rpc.Address, StringComparison.Ordinal);

        using (var channel = new RpcChannel(rpc.Address, new RpcChannelOptions { Tls = client }))
        {
            var response = await channel.Tikv.RawGetAsync(new RawGetRequest(), RpcChannel.CallOptions(cancellationToken: TestHost.Guard));
            Assert.Equal("ok", response.Value.ToStringUtf8());
        }

        using (var channel = new RpcChannel(rpc.Address, new RpcChannelOptions { Tls = intruder }))
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await channel.Tikv.RawGetAsync(new RawGetRequest(), RpcChannel.CallOptions(cancellationToken: TestHost.Guard)));
            Assert.Equal(StatusCode.PermissionDenied, e.Status);
            Assert.Contains("CN 'intruder' is not allowed", e.Detail, StringComparison.Ordinal);
        }

        var plainAddress = "127.0.0.1:" + rpc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var channel = new RpcChannel(plainAddress))
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await channel.Tikv.RawGetAsync(new RawGetRequest(), RpcChannel.CallOptions(cancellationToken: TestHost.Guard)));
            Assert.NotEqual(StatusCode.PermissionDenied, e.Status);
        }

        Assert.True(await TlsProbe.SpeaksTlsAsync(plainAddress, TimeSpan.FromSeconds(5)));
    }

    private TlsSettings Settings(string name, string[] allowed)
    {
        var (cert, key) = _ca.IssueTo(_dir.Path, name, name);
        return TlsSettings.FromFlags(Path.Combine(_dir.Path, "ca.pem"), cert, key, allowed)!;
    }

    private static string Refusal(Func<TlsSettings?> load) => Assert.Throws<TlsSettingsException>(() => load()).Message;
}
