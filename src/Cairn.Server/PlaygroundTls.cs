using System.CommandLine;
using Cairn.Hosting;
using Cairn.Rpc.Security;

namespace Cairn.Server;

/// <summary>
/// The TLS settings of a playground's processes: with <c>--tls</c> a CA and pd, store and client certificates made in
/// <c>DIR/tls</c>; with <c>--ca --cert --key</c> the caller's files for every process; otherwise none.
/// </summary>
internal sealed record PlaygroundTls(TlsSettings Pd, TlsSettings Store, TlsSettings Client)
{
    /// <summary>Reads the flags (and makes the certificates for <c>--tls</c>); null when the playground runs cleartext.</summary>
    public static PlaygroundTls? Prepare(ParseResult parse, bool generate, Option<string[]> allowedCn, string root)
    {
        var cns = TlsSettings.SplitCommonNames(parse.GetValue(allowedCn));
        if (generate)
        {
            if (TlsFlags.IsOn(parse))
            {
                throw new CliUsageException("--tls makes its own certificates; pass either --tls or --ca/--cert/--key");
            }

            var folder = Path.Combine(root, "tls");
            TlsCommand.CreateCertificates(folder, TlsCommand.ClusterNames.Select(n => (n, n)), expired: false);
            // The cluster's own processes must keep talking to each other whatever clients are allowed.
            var serverCns = cns.Count == 0 ? cns : [.. cns.Union(["pd", "store"], StringComparer.Ordinal)];
            TlsSettings For(string name, IReadOnlyList<string> allowed) => CliTls.Read(
                Path.Combine(folder, TlsCertificateAuthority.CaFileName), Path.Combine(folder, name + ".pem"), Path.Combine(folder, name + "-key.pem"), allowed)!;
            return new PlaygroundTls(For("pd", serverCns), For("store", serverCns), For("client", []));
        }

        if (TlsFlags.Read(parse, allowedCn) is not { } given)
        {
            return null;
        }

        return new PlaygroundTls(given, given, given with { AllowedCommonNames = [] });
    }

    /// <summary>The flags that pass <paramref name="tls"/> to a child server process.</summary>
    public static string[] Args(TlsSettings? tls) => [.. TlsFlags.ChildArgs(tls, server: true)];
}
