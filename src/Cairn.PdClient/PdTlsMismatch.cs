using Cairn.Rpc.Security;

namespace Cairn.Pd.Client;

/// <summary>
/// A cleartext client whose call to pd failed at the transport: when pd turns out to answer TLS handshakes, the
/// failure is the missing TLS flags, and the error says so instead of "is pd running there?".
/// </summary>
internal static class PdTlsMismatch
{
    public static async Task<bool> SpeaksTlsAsync(string address, CancellationToken cancellationToken) =>
        await TlsProbe.SpeaksTlsAsync(address, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) == true;

    public static string Message(string address) =>
        $"pd at {new Uri(address).Authority} speaks TLS; pass --ca, --cert and --key";
}
