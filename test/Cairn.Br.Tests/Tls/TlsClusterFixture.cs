using System.Text.RegularExpressions;

namespace Cairn.Br.Tests.Tls;

/// <summary>
/// <c>cairn playground --tls --cert-allowed-cn client</c> with three stores, as processes, loaded with database
/// <c>shop</c> over TLS; its folder also holds the certificates the refusal tests present: one with a CN that is not
/// allowed, an expired one, and a whole second CA.
/// </summary>
public sealed partial class TlsClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("br-tls");
    private ProcessRunner? _playground;

    /// <summary>pd's gRPC address, host:port.</summary>
    public string Pd { get; private set; } = "";

    /// <summary>The playground's folder (logs of pd and the store).</summary>
    public string Dir => _dir.Sub("cluster");

    /// <summary>The playground's certificate folder.</summary>
    public string Certs => Path.Combine(Dir, "tls");

    /// <summary>A folder with a CA of its own and pd/store/client certificates it signed.</summary>
    public string OtherCa => _dir.Sub("other-ca");

    /// <summary>Scratch space for the tests (backups, logs).</summary>
    public TempDirectory Scratch => _dir;

    /// <summary>br's and cairn's TLS flags as a client of this cluster.</summary>
    public string[] ClientFlags => Flags(Certs, "client");

    /// <summary><c>--ca</c> of this cluster with the certificate <paramref name="name"/> from <paramref name="folder"/>.</summary>
    public string[] Flags(string folder, string name) =>
        ["--ca", Path.Combine(Certs, "ca.pem"), "--cert", Path.Combine(folder, name + ".pem"), "--key", Path.Combine(folder, name + "-key.pem")];

    public async Task InitializeAsync()
    {
        _playground = ProcessRunner.StartCairn("playground", "--stores", "3", "--dir", Dir, "--tls", "--cert-allowed-cn", "client");
        var ready = await _playground.WaitForLineAsync(Ready(), TimeSpan.FromMinutes(2));
        Pd = ready.Groups["pd"].Value;
        await CairnAsync("tls", "create-certs", Certs, "--name", "intruder", "--cn", "intruder");
        await CairnAsync("tls", "create-certs", Certs, "--name", "old", "--cn", "client", "--expired");
        await CairnAsync("tls", "create-certs", OtherCa);
        await CairnAsync(["workload", "sysbench", "--pd", Pd, "--db", "shop", "--tables", "1", "--rows", "300", .. ClientFlags]);
    }

    /// <summary>Runs <c>cairn</c> and asserts it exits 0; returns stdout.</summary>
    public static async Task<string> CairnAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2), args);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout.Trim();
    }

    public async Task DisposeAsync()
    {
        if (_playground is not null)
        {
            await _playground.DisposeAsync();
        }

        _dir.Dispose();
    }

    [GeneratedRegex(@"^playground ready: pd (?:https://)?(?<pd>\S+) \(http")]
    private static partial Regex Ready();
}
