using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Rpc.Security;

/// <summary>
/// One reading of the CA, certificate and key files: the parsed certificates and the files' stamps (length and write
/// time) at the moment they were read, so a later handshake can tell whether the files were replaced.
/// </summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2 ca, X509Certificate2 certificate, FileStamp[] stamps)
    {
        Ca = ca;
        Certificate = certificate;
        Stamps = stamps;
    }

    /// <summary>The CA certificate: the only root peers' chains may end at.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>Our certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public FileStamp[] Stamps { get; }

    public static FileStamp[] Stamp(params string[] paths)
    {
        var stamps = new FileStamp[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            var info = new FileInfo(paths[i]);
            stamps[i] = info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : default;
        }

        return stamps;
    }

    public bool IsCurrent(string caFile, string certFile, string keyFile) => Stamps.AsSpan().SequenceEqual(Stamp(caFile, certFile, keyFile));

    /// <summary>Reads and checks the three files; every failure is a <see cref="TlsSettingsException"/> naming the file.</summary>
    public static TlsMaterial Load(string caFile, string certFile, string keyFile, DateTime now)
    {
        // Stamps first: a file replaced while we read it is then seen as changed at the next check and read again.
        var stamps = Stamp(caFile, certFile, keyFile);
        var ca = ReadCertificate(caFile, "--ca");
        var leaf = ReadCertificate(certFile, "--cert");
        CheckValidity(ca, caFile, "CA certificate", now);
        CheckValidity(leaf, certFile, "certificate", now);
        var keyText = ReadText(keyFile, "--key");
        if (!HasPem(keyText, "PRIVATE KEY"))
        {
            throw new TlsSettingsException($"--key {keyFile} holds no PEM private key (a '-----BEGIN PRIVATE KEY-----' block); pass the key file that goes with --cert.");
        }

        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(File.ReadAllText(certFile), keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A key of the wrong pair is an ArgumentException, an unreadable one a CryptographicException.
            throw new TlsSettingsException($"--key {keyFile} does not belong to --cert {certFile} (or cannot be read: {e.Message}); pass the key the certificate was made for.", e);
        }

        using (withKey)
        {
            // A PEM key is an ephemeral key: SslStream on Linux copes, but Kestrel and the handshake code on other
            // platforms need a key that can be exported again, so the pair goes through PKCS#12 once.
            var pkcs12 = withKey.Export(X509ContentType.Pkcs12);
            try
            {
                return new TlsMaterial(ca, X509CertificateLoader.LoadPkcs12(pkcs12, password: null, X509KeyStorageFlags.Exportable), stamps);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs12);
            }
        }
    }

    private static X509Certificate2 ReadCertificate(string path, string flag)
    {
        var text = ReadText(path, flag);
        if (!HasPem(text, "CERTIFICATE"))
        {
            throw new TlsSettingsException($"{flag} {path} holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block); pass a PEM certificate file.");
        }

        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new TlsSettingsException($"{flag} {path} holds a PEM certificate that cannot be parsed ({e.Message}); pass a valid PEM certificate file.", e);
        }
    }

    private static string ReadText(string path, string flag)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException e)
        {
            throw new TlsSettingsException($"{flag} {path}: no such file; pass an existing PEM file.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new TlsSettingsException($"{flag} {path}: no such file; pass an existing PEM file.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsSettingsException($"{flag} {path} cannot be read ({e.Message}); check the path and its permissions.", e);
        }
    }

    private static bool HasPem(string text, string labelSuffix)
    {
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].EndsWith(labelSuffix, StringComparison.Ordinal))
            {
                return true;
            }

            rest = rest[fields.Location.End..];
        }

        return false;
    }

    private static void CheckValidity(X509Certificate2 certificate, string path, string what, DateTime now)
    {
        if (now > certificate.NotAfter.ToUniversalTime())
        {
            throw new TlsSettingsException($"the {what} {path} ({certificate.Subject}) expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC; renew it.");
        }

        if (now < certificate.NotBefore.ToUniversalTime())
        {
            throw new TlsSettingsException($"the {what} {path} ({certificate.Subject}) is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC; check the clock or the certificate.");
        }
    }

    internal readonly record struct FileStamp(long Length, DateTime WriteTime);
}
