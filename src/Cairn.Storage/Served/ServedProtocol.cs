namespace Cairn.Storage.Served;

/// <summary>
/// The HTTP protocol between br's local backup server and the stores' <see cref="ServedStorage"/>, and its
/// <c>cloud_dynamic</c> form in a <c>StorageBackend</c>. Every request carries <c>Authorization: Bearer TOKEN</c>.
/// <list type="bullet">
/// <item><c>PUT /objects/PATH</c>: the body becomes the object, published only once all of it has arrived (201).</item>
/// <item><c>GET /objects/PATH</c> (optionally with <c>Range: bytes=A-B</c>), <c>HEAD /objects/PATH</c>, <c>DELETE /objects/PATH</c>.</item>
/// <item><c>GET /list?prefix=P</c>: one JSON object per line, <c>{"path":"…","size":N}</c>.</item>
/// </list>
/// Errors answer a status (400 bad path, 401 wrong token, 404 no object, 500 the server's disk failed) and one line
/// of text saying why.
/// </summary>
public static class ServedProtocol
{
    /// <summary>The <c>cloud_dynamic.provider_name</c> that names br's local backup server.</summary>
    public const string ProviderName = "cairn-br-server";

    /// <summary>The <c>cloud_dynamic.attrs</c> key of the job's bearer token.</summary>
    public const string TokenAttribute = "token";

    /// <summary>Path prefix of object requests.</summary>
    public const string ObjectsPath = "/objects/";

    /// <summary>Path of listings.</summary>
    public const string ListPath = "/list";

    /// <summary>Path segments escaped one by one, so '/' keeps separating them and nothing else is read as syntax.</summary>
    public static string EscapePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }
}
