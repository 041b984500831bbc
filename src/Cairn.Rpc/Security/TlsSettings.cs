using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Cairn.Rpc.Security;

/// <summary>
/// Mutual TLS for every Cairn connection (TiDB's <c>--ca --cert --key</c> and <c>--cert-allowed-cn</c>): our own
/// certificate and key, the CA every peer's certificate must chain to, and on servers the client common names let in.
/// </summary>
/// <remarks>
/// <para>What is checked. A server demands a client certificate and accepts it only when its chain ends at
/// <see cref="CaFile"/> (no system root counts) and it is within its validity period; when
/// <see cref="AllowedCommonNames"/> is not empty, a request whose client certificate's CN is not in it is answered
/// PERMISSION_DENIED (gRPC) or 403 (HTTP) naming the CN, so the client learns why. A client accepts a server whose
/// certificate chains to <see cref="CaFile"/> and names the host dialled in its subject alternative names (an IP SAN
/// for an address such as 127.0.0.1, a DNS SAN for a name such as localhost), the ordinary TLS hostname check.
/// Revocation is not checked: a private cluster CA publishes no revocation list.</para>
/// <para>Rotation. The files are read again when their size or write time changes, checked at each new
/// connection: a server presents the new certificate to the next client that connects, a client presents its new
/// one on its next connection, and the CA file is reread the same way. A set of files caught mid-replacement (a key
/// that does not match the new certificate yet) keeps the last good reading until the files agree.</para>
/// </remarks>
public sealed record TlsSettings
{
    // Keyed by the three paths rather than held per instance: copies made with 'with' and settings built twice from
    // the same flags share one reading and one reload.
    private static readonly ConcurrentDictionary<(string Ca, string Cert, string Key), TlsMaterial> _readings = new();

    /// <summary>PEM file of the CA that signs every certificate of the cluster (<c>--ca</c>).</summary>
    public required string CaFile { get; init; }

    /// <summary>PEM file of our certificate (<c>--cert</c>).</summary>
    public required string CertFile { get; init; }

    /// <summary>PEM file of our certificate's private key (<c>--key</c>).</summary>
    public required string KeyFile { get; init; }

    /// <summary>Servers only: client certificate CNs accepted; empty accepts any certificate signed by the CA.</summary>
    public IReadOnlyList<string> AllowedCommonNames { get; init; } = [];

    /// <summary>
    /// Settings from command-line flags: null (TLS off) when none of <c>--ca --cert --key</c> is given; all three
    /// must be given together. The files are read and checked at once.
    /// </summary>
    /// <exception cref="TlsSettingsException">A flag is missing or a file cannot be used; the message says which.</exception>
    public static TlsSettings? FromFlags(string? ca, string? cert, string? key, IEnumerable<string>? allowedCommonNames = null)
    {
        var cns = SplitCommonNames(allowedCommonNames);
        if (string.IsNullOrEmpty(ca) && string.IsNullOrEmpty(cert) && string.IsNullOrEmpty(key))
        {
            if (cns.Count > 0)
            {
                throw new TlsSettingsException("--cert-allowed-cn needs TLS: pass --ca, --cert and --key as well.");
            }

            return null;
        }

        if (string.IsNullOrEmpty(ca) || string.IsNullOrEmpty(cert) || string.IsNullOrEmpty(key))
        {
            var missing = string.Join(", ", new[] { ("--ca", ca), ("--cert", cert), ("--key", key) }.Where(f => string.IsNullOrEmpty(f.Item2)).Select(f => f.Item1));
            throw new TlsSettingsException($"TLS needs --ca, --cert and --key together; {missing} missing.");
        }

        var settings = new TlsSettings
        {
            CaFile = Path.GetFullPath(ca),
            CertFile = Path.GetFullPath(cert),
            KeyFile = Path.GetFullPath(key),
            AllowedCommonNames = cns,
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Reads the files now and checks them (PEM, key matches certificate, not expired).</summary>
    /// <exception cref="TlsSettingsException">A file cannot be used; the message names it and says what to do.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(CaFile);
        ArgumentException.ThrowIfNullOrEmpty(CertFile);
        ArgumentException.ThrowIfNullOrEmpty(KeyFile);
        ArgumentNullException.ThrowIfNull(AllowedCommonNames);
        var material = TlsMaterial.Load(CaFile, CertFile, KeyFile, DateTime.UtcNow);
        _readings[(CaFile, CertFile, KeyFile)] = material;
    }

    /// <summary>Our certificate (with its key) as the files hold it now; what the next handshake presents.</summary>
    public X509Certificate2 CurrentCertificate() => Current().Certificate;

    /// <summary>The CA certificate as the file holds it now.</summary>
    public X509Certificate2 CurrentCaCertificate() => Current().Ca;

    /// <summary>
    /// Applies the server side to a Kestrel HTTPS endpoint: presents our (current) certificate, requires a client
    /// certificate and accepts only one that chains to our CA. The CN check is per request
    /// (<see cref="TlsCommonNameCheck"/>), so a refused client is told why.
    /// </summary>
    public void ConfigureServer(HttpsConnectionAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ServerCertificateSelector = (_, _) => Current().Certificate;
        options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        options.CheckCertificateRevocation = false;
        options.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        options.HandshakeTimeout = TimeSpan.FromSeconds(10);
        options.ClientCertificateValidation = (certificate, _, _) => ChainsToCa(certificate, out _);
    }

    /// <summary>
    /// A handler for HTTP and gRPC clients: presents our (current) certificate and accepts a server whose certificate
    /// chains to our CA and names the host dialled. A refused server fails the request with an
    /// <see cref="AuthenticationException"/> saying why.
    /// </summary>
    public SocketsHttpHandler CreateClientHandler()
    {
        var handler = new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };
        ConfigureClient(handler);
        return handler;
    }

    /// <summary>Applies the client side (see <see cref="CreateClientHandler"/>) to an existing handler.</summary>
    public void ConfigureClient(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.SslOptions = CreateClientOptions(targetHost: null);
    }

    /// <summary>The client side for an <see cref="SslStream"/> of our own (probes, tests).</summary>
    public SslClientAuthenticationOptions CreateClientOptions(string? targetHost) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        // Called at every handshake, so a rotated certificate is presented on the next connection.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => Current().Certificate,
        RemoteCertificateValidationCallback = (sender, certificate, _, errors) => CheckServer(sender, certificate, errors),
    };

    /// <summary>
    /// Whether <paramref name="certificate"/>'s CN may call a server with these settings; <paramref name="commonName"/>
    /// is the CN found (empty when it has none).
    /// </summary>
    public bool IsCommonNameAllowed(X509Certificate2? certificate, out string commonName)
    {
        commonName = certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? "";
        return AllowedCommonNames.Count == 0 || AllowedCommonNames.Contains(commonName, StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to our CA alone and is in its validity period.</summary>
    public bool ChainsToCa(X509Certificate2 certificate, out string problem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var ca = Current().Ca;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        if (chain.Build(certificate))
        {
            problem = "";
            return true;
        }

        problem = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        if (problem.Length == 0)
        {
            problem = "its chain does not end at the CA";
        }

        return false;
    }

    /// <summary>Splits repeated and comma-separated CN lists (<c>--cert-allowed-cn a,b --cert-allowed-cn c</c>).</summary>
    public static IReadOnlyList<string> SplitCommonNames(IEnumerable<string>? values) =>
        values is null
            ? []
            : values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToArray();

    // Logged job options show the files and CNs, never certificate contents.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CaFile = ").Append(CaFile).Append(", CertFile = ").Append(CertFile).Append(", KeyFile = ").Append(KeyFile)
            .Append(", AllowedCommonNames = [").AppendJoin(", ", AllowedCommonNames).Append(']');
        return true;
    }

    private bool CheckServer(object sender, X509Certificate? certificate, SslPolicyErrors errors)
    {
        var host = (sender as SslStream)?.TargetHostName;
        var who = string.IsNullOrEmpty(host) ? "the server" : $"the server {host}";
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            throw new AuthenticationException($"{who} presented no certificate.");
        }

        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (!ChainsToCa(server, out var problem))
        {
            throw new AuthenticationException($"{who} presented a certificate ({server.Subject}) our --ca {CaFile} does not trust: {problem}; pass the CA that signed the cluster's certificates.");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            throw new AuthenticationException($"{who} presented a certificate ({server.Subject}) that does not name '{host}' in its subject alternative names; dial an address the certificate names or reissue it.");
        }

        return true;
    }

    private TlsMaterial Current()
    {
        var key = (CaFile, CertFile, KeyFile);
        if (_readings.TryGetValue(key, out var material) && material.IsCurrent(CaFile, CertFile, KeyFile))
        {
            return material;
        }

        try
        {
            var fresh = TlsMaterial.Load(CaFile, CertFile, KeyFile, DateTime.UtcNow);
            _readings[key] = fresh;
            return fresh;
        }
        catch (TlsSettingsException) when (material is not null)
        {
            // Files caught mid-replacement (or replaced by something unusable): the last good reading serves until
            // they agree again; the next connection tries again.
            return material;
        }
    }
}
