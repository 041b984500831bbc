using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cairn.Storage.Tests;

/// <summary>
/// An OAuth2 token endpoint on 127.0.0.1 for service-account credentials whose <c>token_uri</c> points here: it
/// answers each JWT-bearer grant with the next access token ("token-1", "token-2"…) or with a fixed error, and keeps
/// the claims of every assertion it received. It does not check the assertion's signature.
/// </summary>
public sealed class GcsTokenServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly List<JsonElement> _claims = [];
    private int _issued;

    public GcsTokenServer(int expiresInSeconds = 3600, string? error = null)
    {
        ExpiresInSeconds = expiresInSeconds;
        Error = error;
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            try
            {
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                _listener.Prefixes.Clear();
            }
        }
        _loop = ServeAsync();
    }

    public int Port { get; }

    public int ExpiresInSeconds { get; }

    public string? Error { get; }

    public string TokenUri => $"http://127.0.0.1:{Port}/token";

    /// <summary>Access tokens handed out so far.</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>The payload claims of each assertion received.</summary>
    public IReadOnlyList<JsonElement> Claims
    {
        get
        {
            lock (_claims)
            {
                return [.. _claims];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var form = await reader.ReadToEndAsync();
            foreach (var pair in form.Split('&'))
            {
                if (pair.StartsWith("assertion=", StringComparison.Ordinal))
                {
                    var jwt = Uri.UnescapeDataString(pair["assertion=".Length..]);
                    var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
                    payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
                    using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
                    lock (_claims)
                    {
                        _claims.Add(document.RootElement.Clone());
                    }
                }
            }
            string body;
            if (Error is not null)
            {
                context.Response.StatusCode = 400;
                body = JsonSerializer.Serialize(new { error = Error, error_description = "refused by the test token server" });
            }
            else
            {
                var n = Interlocked.Increment(ref _issued);
                body = JsonSerializer.Serialize(new { access_token = $"token-{n}", token_type = "Bearer", expires_in = ExpiresInSeconds });
            }
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
