using System.CommandLine;
using Cairn.Hosting;
using Cairn.Rpc.Security;

namespace Cairn.Server;

/// <summary>
/// <c>cairn tls create-certs DIR [--name NAME] [--cn CN] [--expired]</c>: makes the PEM files a TLS cluster needs
/// (no openssl required). DIR's <c>ca.pem</c>/<c>ca-key.pem</c> are used when present, otherwise a new CA is made
/// there. Without <c>--name</c> it issues <c>pd</c>, <c>store</c> and <c>client</c> certificates; with it, one
/// certificate <c>NAME.pem</c>/<c>NAME-key.pem</c> whose CN is <c>--cn</c> (default NAME), already expired with
/// <c>--expired</c> (for tests of the refusal). Every certificate names 127.0.0.1, ::1 and localhost.
/// </summary>
internal static class TlsCommand
{
    /// <summary>The certificates of a cluster: file name and CN.</summary>
    public static IReadOnlyList<string> ClusterNames { get; } = ["pd", "store", "client"];

    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "Folder for the PEM files (created if missing)." };
        var name = new Option<string?>("--name") { Description = "Issue one certificate, NAME.pem and NAME-key.pem, instead of the pd/store/client set." };
        var cn = new Option<string?>("--cn") { Description = "The certificate's common name (default: NAME)." };
        var expired = new Option<bool>("--expired") { Description = "Issue certificates that expired yesterday (for tests)." };
        var create = new Command("create-certs", "Make a CA (unless DIR has one) and certificates for a local TLS cluster.") { dir, name, cn, expired };
        create.SetAction(parse =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            var one = parse.GetValue(name);
            if (one is not null && (one.Length == 0 || one.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || one.Contains('/', StringComparison.Ordinal)))
            {
                throw new CliUsageException($"--name '{one}' is not a file name; use letters, digits and dashes");
            }

            if (parse.GetValue(cn) is { } c && one is null)
            {
                throw new CliUsageException($"--cn {c} needs --name (the file the certificate goes to)");
            }

            foreach (var line in CreateCertificates(folder, one is null ? ClusterNames.Select(n => (n, n)) : [(one, parse.GetValue(cn) ?? one)], parse.GetValue(expired)))
            {
                Console.Out.WriteLine(line);
            }

            return ExitCodes.Ok;
        });
        return new Command("tls", "TLS helpers.") { create };
    }

    /// <summary>Issues <paramref name="certificates"/> (file name, CN) into <paramref name="folder"/>; returns one line per file written.</summary>
    public static IReadOnlyList<string> CreateCertificates(string folder, IEnumerable<(string File, string CommonName)> certificates, bool expired)
    {
        var lines = new List<string>();
        try
        {
            Directory.CreateDirectory(folder);
            var existing = File.Exists(Path.Combine(folder, TlsCertificateAuthority.CaFileName)) && File.Exists(Path.Combine(folder, TlsCertificateAuthority.CaKeyFileName));
            using var ca = existing ? TlsCertificateAuthority.Load(folder) : TlsCertificateAuthority.Create();
            if (!existing)
            {
                ca.WriteTo(folder);
                lines.Add($"ca      {Path.Combine(folder, TlsCertificateAuthority.CaFileName)} (new CA; its key is {TlsCertificateAuthority.CaKeyFileName})");
            }

            foreach (var (file, commonName) in certificates)
            {
                var (cert, key) = ca.IssueTo(folder, file, commonName, expired: expired);
                lines.Add($"{file,-7} {cert} {key} (CN {commonName}{(expired ? ", expired" : "")})");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CliFailureException($"cannot create certificates in {folder}: {e.Message}", e);
        }

        return lines;
    }
}
