using Cairn.Storage;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cairn.Storage.Azure;

namespace Cairn.Testing.Storage;

/// <summary>
/// azurite's blob service on a free port with in-memory persistence, started once per test run
/// (<see cref="AzureGcsEmulatorProcess.StartSharedAsync"/>), and one fresh container per fixture: use it as an
/// <c>IClassFixture</c>. Disposing empties the container, so that the shared emulator's memory stays bounded. Uses
/// the emulator's well-known development account. Requires <c>scripts/setup.sh storage</c>; never skips.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>azurite's built-in development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's published key (not a secret: it is the same in every azurite).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private AzureGcsEmulatorProcess? _emulator;

    /// <summary>The blob endpoint, path-style: http://127.0.0.1:port/devstoreaccount1.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    /// <summary>The emulator's port.</summary>
    public int Port => _emulator?.Port ?? throw new InvalidOperationException("azurite is not running");

    /// <summary>The container created for the test class.</summary>
    public string Container { get; } = "cairn-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Options for the class's container with Shared Key credentials.</summary>
    public AzureBlobOptions Options(string prefix = "", string? endpoint = null) => new()
    {
        Container = Container,
        Prefix = prefix,
        Endpoint = endpoint ?? Endpoint,
        AccountName = AccountName,
        AccountKey = AccountKey,
    };

    /// <summary>An account SAS (service b, all resource types) valid for an hour, signed with <paramref name="key"/>.</summary>
    public static string AccountSas(string permissions = "racwdl", string key = AccountKey)
    {
        const string version = AzureBlobStorage.ApiVersion;
        var expiry = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        // Fields: account, permissions, services, resource types, start, expiry, IP, protocols, version, encryption scope.
        var toSign = string.Join('\n', AccountName, permissions, "b", "sco", "", expiry, "", "https,http", version, "") + "\n";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes(toSign)));
        return $"sv={version}&ss=b&srt=sco&sp={permissions}&se={Uri.EscapeDataString(expiry)}&spr=https,http&sig={Uri.EscapeDataString(signature)}";
    }

    /// <summary>azurite's blob service script; fails with the setup command when azurite is not installed.</summary>
    public static string MainScript() => AzureGcsEmulatorProcess.RequireEmulatorFile(Path.Combine("azurite", "dist", "src", "blob", "main.js"), "azurite");

    /// <summary>The blob service's arguments for <paramref name="port"/>: loopback, in-memory, quiet.</summary>
    public static IEnumerable<string> Arguments(int port) =>
    [
        "--blobHost", "127.0.0.1",
        "--blobPort", port.ToString(CultureInfo.InvariantCulture),
        "--inMemoryPersistence",
        "--extentMemoryLimit", "1024",
        "--disableTelemetry",
        "--silent",
    ];

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var main = MainScript();
        _emulator = await AzureGcsEmulatorProcess.StartSharedAsync("azurite", () => AzureGcsEmulatorProcess.StartAsync("azurite", main, Arguments)).ConfigureAwait(false);
        var storage = await AzureBlobStorage.OpenAsync(Options() with { CreateContainer = true }).ConfigureAwait(false);
        await storage.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_emulator is null)
        {
            return;
        }

        var storage = await AzureBlobStorage.OpenAsync(Options()).ConfigureAwait(false);
        await using (storage.ConfigureAwait(false))
        {
            var paths = new List<string>();
            await foreach (var item in storage.ListAsync("").ConfigureAwait(false))
            {
                paths.Add(item.Path);
            }

            foreach (var path in paths)
            {
                await storage.DeleteAsync(path).ConfigureAwait(false);
            }
        }
    }
}
