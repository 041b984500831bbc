using System.CommandLine;
using Cairn.Hosting;
using Cairn.Rpc.Security;

namespace Cairn.Server;

/// <summary>
/// TiDB's TLS flags on every <c>cairn</c> command: <c>--ca --cert --key</c> on the root (inherited by every
/// subcommand; TLS is on iff <c>--ca</c> is given) and <c>--cert-allowed-cn</c> on the servers (pd, store,
/// playground).
/// </summary>
internal static class TlsFlags
{
    public static Option<string?> Ca { get; } = new("--ca") { Description = "PEM file of the CA that signs the cluster's certificates; TLS is on iff it is given.", Recursive = true };

    public static Option<string?> Cert { get; } = new("--cert") { Description = "PEM file of this process's certificate (TLS).", Recursive = true };

    public static Option<string?> Key { get; } = new("--key") { Description = "PEM file of the private key of --cert (TLS).", Recursive = true };

    /// <summary>Adds <c>--ca --cert --key</c> to the root command.</summary>
    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Ca);
        root.Options.Add(Cert);
        root.Options.Add(Key);
    }

    /// <summary>A new <c>--cert-allowed-cn</c> for a server command (repeatable, or a comma list).</summary>
    public static Option<string[]> AllowedCommonNames() => new("--cert-allowed-cn")
    {
        Description = "Accept only clients whose certificate CN is one of these (repeat the flag or separate with commas); needs --ca.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Whether <c>--ca</c> was given (TLS on), for the address rules.</summary>
    public static bool IsOn(ParseResult parse) => !string.IsNullOrEmpty(parse.GetValue(Ca));

    /// <summary>The settings of the flags, files checked now; null when TLS is off. Throws <see cref="CliUsageException"/>.</summary>
    public static TlsSettings? Read(ParseResult parse, Option<string[]>? allowedCommonNames = null) =>
        CliTls.Read(parse.GetValue(Ca), parse.GetValue(Cert), parse.GetValue(Key), allowedCommonNames is null ? null : parse.GetValue(allowedCommonNames));

    /// <summary>The flags that pass this process's TLS settings on to a child <c>cairn</c> process.</summary>
    public static IEnumerable<string> ChildArgs(TlsSettings? tls, bool server)
    {
        if (tls is null)
        {
            yield break;
        }

        yield return "--ca";
        yield return tls.CaFile;
        yield return "--cert";
        yield return tls.CertFile;
        yield return "--key";
        yield return tls.KeyFile;
        if (server && tls.AllowedCommonNames.Count > 0)
        {
            yield return "--cert-allowed-cn";
            yield return string.Join(',', tls.AllowedCommonNames);
        }
    }
}
