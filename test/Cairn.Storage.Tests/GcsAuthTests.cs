using System.Security.Cryptography;
using System.Text.Json;
using Cairn.Storage.Gcs;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>
/// OAuth2 with a service-account key file. The emulator ignores the Authorization header, so what is checked here
/// is the client side: a token is obtained from the key's token_uri (a local token endpoint), with the
/// devstorage.read_write scope, sent as a Bearer token on every request, and renewed when it expires.
/// </summary>
public sealed class GcsAuthTests : IClassFixture<GcsEmulatorFixture>, IDisposable
{
    private readonly GcsEmulatorFixture _gcs;
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-gcs-auth-").FullName;
    private readonly string _privateKey;

    public GcsAuthTests(GcsEmulatorFixture gcs)
    {
        _gcs = gcs;
        using var rsa = RSA.Create(2048);
        _privateKey = rsa.ExportPkcs8PrivateKeyPem();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Service_account_token_is_sent_as_bearer_with_the_read_write_scope()
    {
        await using var tokens = new GcsTokenServer();
        using var recorder = new GcsRequestRecorder();
        var options = _gcs.Options("auth") with { CredentialsFile = WriteKeyFile(tokens.TokenUri) };
        await using var storage = await GcsStorage.OpenAsync(options, requestRetry: null, handler: recorder);
        Assert.True(storage.IsAuthenticated);
        await storage.WriteAllAsync("a", RandomBytes(10));
        Assert.Equal(10, (await storage.ReadAllAsync("a")).Length);

        Assert.Equal(1, tokens.Issued);
        Assert.All(recorder.Authorizations, a => Assert.Equal("Bearer token-1", a));
        var claims = Assert.Single(tokens.Claims);
        Assert.Equal(GcsStorage.Scope, claims.GetProperty("scope").GetString());
        Assert.Equal("cairn-test@demo-cairn.iam.gserviceaccount.com", claims.GetProperty("iss").GetString());
    }

    [Fact]
    public async Task Expired_tokens_are_renewed()
    {
        // A token that lives one second is already inside the library's refresh window, so each request needs a new one.
        await using var tokens = new GcsTokenServer(expiresInSeconds: 1);
        using var recorder = new GcsRequestRecorder();
        var options = _gcs.Options("renew") with { CredentialsFile = WriteKeyFile(tokens.TokenUri) };
        await using var storage = await GcsStorage.OpenAsync(options, requestRetry: null, handler: recorder);
        await storage.WriteAllAsync("a", RandomBytes(10));
        // Requests go on until one carries a renewed token: the renewal is the effect waited for, not a second of clock.
        await Eventually.UntilAsync(async () => await storage.ExistsAsync("a") && tokens.Issued >= 2, TimeSpan.FromSeconds(30),
            () => $"a renewed token (issued so far: {tokens.Issued})");
        Assert.Equal($"Bearer token-{tokens.Issued}", recorder.Authorizations[^1]);
    }

    [Fact]
    public async Task Refused_token_is_access_denied_without_key_material_in_the_message()
    {
        await using var tokens = new GcsTokenServer(error: "invalid_grant");
        var options = _gcs.Options("refused") with { CredentialsFile = WriteKeyFile(tokens.TokenUri) };
        var e = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(options));
        Assert.Equal(StorageErrorKind.AccessDenied, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains("invalid_grant", e.Message, StringComparison.Ordinal);
        var keyBody = _privateKey.Split('\n')[1];
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            Assert.DoesNotContain(keyBody, x.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Malformed_key_file_is_a_clear_error()
    {
        var path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, "{\"type\":\"service_account\",\"private_key\":\"not a key\"}");
        var e = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(_gcs.Options() with { CredentialsFile = path }));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        Assert.False(e.IsTransient);
    }

    private string WriteKeyFile(string tokenUri)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "demo-cairn",
            ["private_key_id"] = "test-key",
            ["private_key"] = _privateKey,
            ["client_email"] = "cairn-test@demo-cairn.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        });
        File.WriteAllText(path, json);
        return path;
    }
}
