using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Cairn.Br.Tests.Cli;
using Cairn.Rpc.Security;

namespace Cairn.Br.Tests.Tls;

/// <summary>
/// Mutual TLS end to end: br and cairn as processes against a TLS playground (pd and a store as processes), the
/// refusals each misconfiguration meets, the http/https address rules and certificate rotation without restart.
/// </summary>
public sealed partial class TlsClusterTests(TlsClusterFixture cluster) : IClassFixture<TlsClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Backup_and_restore_over_tls_give_the_same_rows_and_log_no_tls_noise()
    {
        var backup = cluster.Scratch.Sub("backup");
        var backupLog = cluster.Scratch.Sub("backup.log");
        var (exit, stdout, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound, ["backup", "db", "--db", "shop", "-u", cluster.Pd, "-s", backup, "--log-file", backupLog, .. cluster.ClientFlags]);
        Assert.True(exit == 0, $"backup exit {exit}:\n{stdout}\n{stderr}");
        Assert.Empty(BrProcess.Messages(stderr));

        var restoreLog = cluster.Scratch.Sub("restore.log");
        (exit, stdout, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound, ["restore", "full", "-u", "https://" + cluster.Pd, "-s", backup, "--rename", "shop.*=shop_copy.*", "--log-file", restoreLog, .. cluster.ClientFlags]);
        Assert.True(exit == 0, $"restore exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("Full restore succeeded", stdout, StringComparison.Ordinal);
        Assert.Empty(BrProcess.Messages(stderr));

        Assert.Equal(
            Kvs(await TlsClusterFixture.CairnAsync(["table", "checksum", "shop.sbtest1", "--pd", cluster.Pd, .. cluster.ClientFlags])),
            Kvs(await TlsClusterFixture.CairnAsync(["table", "checksum", "shop_copy.sbtest1", "--pd", cluster.Pd, .. cluster.ClientFlags])));

        // A successful run over TLS says nothing about TLS: no handshake or connection-close warnings from br, pd or the store.
        foreach (var log in new[] { backupLog, restoreLog, Path.Combine(cluster.Dir, "pd.log"), Path.Combine(cluster.Dir, "store0.log"), Path.Combine(cluster.Dir, "store2.log") })
        {
            var noise = File.ReadLines(log).Where(l => TlsNoise().IsMatch(l)).ToList();
            Assert.True(noise.Count == 0, $"{log}:\n{string.Join('\n', noise)}");
        }
    }

    [Fact]
    public async Task A_three_store_tls_cluster_backs_up_encrypted_through_the_local_backup_server_and_restores()
    {
        // A distinctive key, so that finding it anywhere but in the key file is a leak.
        const string Key = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e70001";
        var keyFile = cluster.Scratch.Sub("backup.key");
        await File.WriteAllTextAsync(keyFile, Key + "\n");
        var folder = cluster.Scratch.Sub("served");
        var crypter = new[] { "--crypter.method", "aes256-ctr", "--crypter.key-file", keyFile };
        var backupLog = cluster.Scratch.Sub("served-backup.log");
        var (exit, stdout, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound,
            ["backup", "db", "--db", "shop", "-u", cluster.Pd, "-s", "local://" + folder, "--local-server", "--log-file", backupLog, "-L", "debug", .. crypter, .. cluster.ClientFlags]);
        Assert.True(exit == 0, $"backup exit {exit}:\n{stdout}\n{stderr}");
        Assert.Empty(BrProcess.Messages(stderr));

        // The stores' files came to the one folder on br's side over TLS (several stores writing into it is
        // LocalServerJobTests' check; here the small table has one leader).
        Assert.NotEmpty(Directory.EnumerateFiles(folder, "*.sst", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(folder, "backupmeta")), "backupmeta is in the served folder");

        // Without the key the backup is refused before anything is created.
        (exit, _, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound,
            ["restore", "full", "-u", cluster.Pd, "-s", "local://" + folder, "--local-server", "--rename", "shop.*=shop_nokey.*", "--log-file", cluster.Scratch.Sub("nokey.log"), .. cluster.ClientFlags]);
        Assert.Equal(1, exit);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("shop_nokey", await TlsClusterFixture.CairnAsync(["db", "ls", "--pd", cluster.Pd, .. cluster.ClientFlags]), StringComparison.Ordinal);

        var restoreLog = cluster.Scratch.Sub("served-restore.log");
        (exit, stdout, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound,
            ["restore", "full", "-u", cluster.Pd, "-s", "local://" + folder, "--local-server", "--rename", "shop.*=shop_served.*", "--log-file", restoreLog, "-L", "debug", .. crypter, .. cluster.ClientFlags]);
        Assert.True(exit == 0, $"restore exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("Full restore succeeded", stdout, StringComparison.Ordinal);
        Assert.Equal(
            Kvs(await TlsClusterFixture.CairnAsync(["table", "checksum", "shop.sbtest1", "--pd", cluster.Pd, .. cluster.ClientFlags])),
            Kvs(await TlsClusterFixture.CairnAsync(["table", "checksum", "shop_served.sbtest1", "--pd", cluster.Pd, .. cluster.ClientFlags])));

        // The key is in no file the jobs left (backup folder, br's logs, the cluster's logs and data) and in no output.
        Assert.DoesNotContain(Key, stdout + stderr, StringComparison.OrdinalIgnoreCase);
        var places = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(cluster.Dir, "*", SearchOption.AllDirectories))
            .Append(backupLog).Append(restoreLog);
        var keyBytes = Convert.FromHexString(Key);
        foreach (var place in places)
        {
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(place);
            }
            catch (IOException)
            {
                continue; // a file the running cluster holds open and locked (RocksDB's LOCK)
            }

            Assert.False(System.Text.Encoding.UTF8.GetString(content).Contains(Key, StringComparison.OrdinalIgnoreCase), $"the key's hex is in {place}");
            Assert.False(content.AsSpan().IndexOf(keyBytes) >= 0, $"the key's bytes are in {place}");
        }
    }

    [Fact]
    public async Task Misconfigured_clients_are_refused_with_a_message_saying_what_to_fix()
    {
        var table = new[] { "table", "count", "shop.sbtest1", "--pd", cluster.Pd };

        // No TLS flags against a TLS cluster.
        await Refused(1, "speaks TLS; pass --ca, --cert and --key", table);
        // A CA that did not sign pd's certificate.
        await Refused(1, "does not trust", [.. table, "--ca", Path.Combine(cluster.OtherCa, "ca.pem"), "--cert", Path.Combine(cluster.OtherCa, "client.pem"), "--key", Path.Combine(cluster.OtherCa, "client-key.pem")]);
        // Our CA, but a client certificate signed by another CA: pd refuses it in the handshake.
        await Refused(1, "refused our certificate", [.. table, .. cluster.Flags(cluster.OtherCa, "client")[2..], "--ca", Path.Combine(cluster.Certs, "ca.pem")]);
        // A certificate whose CN pd's --cert-allowed-cn does not list.
        await Refused(1, "CN 'intruder' is not allowed", [.. table, .. cluster.Flags(cluster.Certs, "intruder")]);
        // An expired certificate is refused before anything connects.
        await Refused(2, "expired", [.. table, .. cluster.Flags(cluster.Certs, "old")]);

        // br says the same through its own error path.
        var (exit, _, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound, "backup", "full", "-u", cluster.Pd, "-s", cluster.Scratch.Sub("refused"), "--log-file", cluster.Scratch.Sub("refused.log"));
        Assert.NotEqual(0, exit);
        Assert.Contains("speaks TLS; pass --ca, --cert and --key", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_client_is_told_when_the_server_speaks_cleartext_and_addresses_follow_the_http_https_rule()
    {
        using var data = new TempDirectory("br-tls-plain");
        await using var plain = ProcessRunner.StartCairn("pd", "--addr", "127.0.0.1:0", "--data-dir", data.Sub("pd"));
        var ready = await plain.WaitForLineAsync(PdReady(), Bound);
        var plainPd = ready.Groups["pd"].Value;
        await Refused(1, "TLS handshake with", ["table", "ls", "shop", "--pd", plainPd, .. cluster.ClientFlags]);

        // br-spec §a: http:// is an error with TLS on, https:// with TLS off; a bare host:port follows the flags.
        var storage = cluster.Scratch.Sub("rules");
        var (exit, _, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound, ["backup", "full", "-u", "http://" + cluster.Pd, "-s", storage, .. cluster.ClientFlags]);
        Assert.Equal(2, exit);
        Assert.Contains("http:// address but TLS is on", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await BrProcess.RunAsync(cluster.Scratch.Path, Bound, "backup", "full", "-u", "https://" + cluster.Pd, "-s", storage);
        Assert.Equal(2, exit);
        Assert.Contains("https:// needs TLS", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replaced_certificate_files_are_presented_to_the_next_connection_without_a_restart()
    {
        var client = TlsSettings.FromFlags(Path.Combine(cluster.Certs, "ca.pem"), Path.Combine(cluster.Certs, "client.pem"), Path.Combine(cluster.Certs, "client-key.pem"))!;
        var before = await ServedThumbprintAsync(client);
        using (var onDisk = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(cluster.Certs, "pd.pem"))))
        {
            Assert.Equal(onDisk.Thumbprint, before);
        }

        await TlsClusterFixture.CairnAsync("tls", "create-certs", cluster.Certs, "--name", "pd", "--cn", "pd");
        string after;
        using (var rotated = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(cluster.Certs, "pd.pem"))))
        {
            after = rotated.Thumbprint;
        }

        Assert.NotEqual(before, after);
        await Eventually.UntilAsync(async () => await ServedThumbprintAsync(client) == after, TimeSpan.FromSeconds(20), "pd presents the rotated certificate");
        // Old connections' clients keep working: a whole command over new connections succeeds.
        Assert.Contains("sbtest1", await TlsClusterFixture.CairnAsync(["table", "ls", "shop", "--pd", cluster.Pd, .. cluster.ClientFlags]), StringComparison.Ordinal);
    }

    private async Task<string> ServedThumbprintAsync(TlsSettings client)
    {
        var (host, port) = (cluster.Pd[..cluster.Pd.LastIndexOf(':')], int.Parse(cluster.Pd[(cluster.Pd.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        using var ssl = new SslStream(tcp.GetStream());
        var options = client.CreateClientOptions(host);
        options.ApplicationProtocols = [SslApplicationProtocol.Http2];
        await ssl.AuthenticateAsClientAsync(options);
        return new X509Certificate2(ssl.RemoteCertificate!).Thumbprint;
    }

    private static async Task Refused(int expectedExit, string message, string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(Bound, args);
        Assert.True(exit == expectedExit, $"cairn {string.Join(' ', args)} exited {exit} (expected {expectedExit}):\n{stdout}\n{stderr}");
        Assert.True(stderr.Contains(message, StringComparison.Ordinal), $"expected '{message}' in: {stderr}");
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Kvs(string checksum) => KvsPart().Match(checksum).Value;

    [GeneratedRegex(@"total_kvs \d+\s+total_bytes \d+")]
    private static partial Regex KvsPart();

    // Warnings and failures of any kind, and anything the TLS stack says (the job-options line names the files, which is not noise).
    [GeneratedRegex(@"\b(warn|fail|crit):|SSL|handshake|AuthenticationException", RegexOptions.IgnoreCase)]
    private static partial Regex TlsNoise();

    [GeneratedRegex(@"^pd ready: grpc (?:http://)?(?<pd>\S+) http")]
    private static partial Regex PdReady();
}
