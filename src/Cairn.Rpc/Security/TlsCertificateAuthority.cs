using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Rpc.Security;

/// <summary>
/// A small CA for local clusters, playgrounds and tests: makes its own root and issues certificates for servers and
/// clients (ECDSA P-256, both server and client authentication, SANs for the loopback names), written as PEM files
/// that <see cref="TlsSettings"/> reads. Not meant for production PKI.
/// </summary>
public sealed class TlsCertificateAuthority : IDisposable
{
    /// <summary>The CA certificate file name inside a certificate folder.</summary>
    public const string CaFileName = "ca.pem";

    /// <summary>The CA key file name inside a certificate folder.</summary>
    public const string CaKeyFileName = "ca-key.pem";

    private readonly X509Certificate2 _certificate;

    private TlsCertificateAuthority(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>The names every issued certificate carries unless others are given: 127.0.0.1, ::1 and localhost.</summary>
    public static IReadOnlyList<string> LoopbackNames { get; } = ["127.0.0.1", "::1", "localhost"];

    /// <summary>The CA certificate (with its key).</summary>
    public X509Certificate2 Certificate => _certificate;

    /// <summary>Makes a new root CA valid from a week ago for <paramref name="validity"/> (default 10 years).</summary>
    public static TlsCertificateAuthority Create(string commonName = "Cairn CA", TimeSpan? validity = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TlsCertificateAuthority(request.CreateSelfSigned(now.AddDays(-7), now + (validity ?? TimeSpan.FromDays(3650))));
    }

    /// <summary>Loads a CA written by <see cref="WriteTo"/> (<c>ca.pem</c> and <c>ca-key.pem</c> in <paramref name="directory"/>).</summary>
    public static TlsCertificateAuthority Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new TlsCertificateAuthority(X509Certificate2.CreateFromPemFile(Path.Combine(directory, CaFileName), Path.Combine(directory, CaKeyFileName)));
    }

    /// <summary>Writes the CA certificate and key into <paramref name="directory"/> (created if missing).</summary>
    public void WriteTo(string directory) =>
        WritePem(_certificate, Path.Combine(directory, CaFileName), Path.Combine(directory, CaKeyFileName));

    /// <summary>
    /// Issues a certificate for <paramref name="commonName"/> valid from <paramref name="notBefore"/> to
    /// <paramref name="notAfter"/> (which may lie in the past, for tests of expired certificates), naming
    /// <paramref name="names"/> (IP addresses or DNS names; default <see cref="LoopbackNames"/>) as SANs.
    /// </summary>
    public X509Certificate2 Issue(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter, IEnumerable<string>? names = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        // Both purposes: a store is a server to br and a client of pd.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names ?? LoopbackNames)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = request.Create(_certificate, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Issues a certificate valid from a day ago for <paramref name="validity"/> (default a year) and writes it to
    /// <c>NAME.pem</c> and <c>NAME-key.pem</c> in <paramref name="directory"/>; returns the two paths.
    /// </summary>
    public (string CertFile, string KeyFile) IssueTo(string directory, string fileName, string commonName, TimeSpan? validity = null, bool expired = false, IEnumerable<string>? names = null)
    {
        var now = DateTimeOffset.UtcNow;
        var (from, to) = expired ? (now.AddDays(-2), now.AddDays(-1)) : (now.AddDays(-1), now + (validity ?? TimeSpan.FromDays(365)));
        using var certificate = Issue(commonName, from, to, names);
        var paths = (Path.Combine(directory, fileName + ".pem"), Path.Combine(directory, fileName + "-key.pem"));
        WritePem(certificate, paths.Item1, paths.Item2);
        return paths;
    }

    /// <summary>
    /// Writes a certificate and its private key as PEM (<c>CERTIFICATE</c>, PKCS#8 <c>PRIVATE KEY</c>); the key file
    /// is readable by its owner only. Each file is written next to its place and renamed over it, so a process that
    /// reloads on change never reads half a file.
    /// </summary>
    public static void WritePem(X509Certificate2 certificate, string certFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        WriteAtomically(keyFile, new string(PemEncoding.Write("PRIVATE KEY", key.ExportPkcs8PrivateKey())) + "\n", secret: true);
        WriteAtomically(certFile, new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n", secret: false);
    }

    /// <summary>Releases the CA key.</summary>
    public void Dispose() => _certificate.Dispose();

    private static void WriteAtomically(string path, string text, bool secret)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, text);
        if (secret && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }
}
