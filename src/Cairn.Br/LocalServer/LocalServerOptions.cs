namespace Cairn.Br.LocalServer;

/// <summary>
/// br's local backup server (<c>--local-server</c>): for the job's duration br serves its <c>local://</c> folder over
/// HTTP, and the stores upload their files to it (backup) and download them from it (restore) with a random per-job
/// token, so every store's files land in one folder on br's machine. When the job has TLS settings (<c>--ca</c>,
/// <c>--cert</c>, <c>--key</c>) the server speaks https with them and requires the stores' client certificates.
/// </summary>
public sealed record LocalServerOptions
{
    /// <summary>
    /// <c>host:port</c> to listen on; null picks one the stores can reach: <c>127.0.0.1:0</c> when every store is on
    /// loopback, else the address of this machine's interface towards the first store, port 0. A wildcard host
    /// (<c>0.0.0.0</c>, <c>[::]</c>) listens everywhere and tells the stores that interface's address.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> for IPv6; port 0 asks for a free one); false when it is not that.</summary>
    public static bool TrySplitAddress(string address, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.Trim();
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        port = 0;
        return host.Length > 0
            && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port <= 65535;
    }
}
