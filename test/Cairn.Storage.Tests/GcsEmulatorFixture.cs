using Cairn.Storage.Gcs;

namespace Cairn.Storage.Tests;

/// <summary>
/// The firebase-tools storage emulator (GCS JSON API) started through scripts/emulators/gcs-emulator.js on a free
/// port, with its temp files in a private folder, and a bucket name for the test class. The emulator creates
/// buckets on first use (its bucket-create endpoint is not implemented). Requires `scripts/setup.sh storage`.
/// </summary>
public sealed class GcsEmulatorFixture : IAsyncLifetime
{
    private AzureGcsEmulatorProcess? _emulator;

    /// <summary>The JSON API endpoint: http://127.0.0.1:port.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The emulator's port.</summary>
    public int Port => _emulator?.Port ?? throw new InvalidOperationException("the GCS emulator is not running");

    /// <summary>The bucket used by the test class.</summary>
    public string Bucket { get; } = "cairn-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Options for the class's bucket, unauthenticated (the emulator ignores credentials anyway).</summary>
    public GcsOptions Options(string prefix = "", string? endpoint = null) => new()
    {
        Bucket = Bucket,
        Prefix = prefix,
        Endpoint = endpoint ?? Endpoint,
    };

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        AzureGcsEmulatorProcess.RequireEmulatorFile(Path.Combine("firebase-tools", "lib", "emulator", "storage", "index.js"), "firebase-tools (GCS emulator)");
        var script = Path.Combine(AzureGcsEmulatorProcess.RepositoryRoot(), "scripts", "emulators", "gcs-emulator.js");
        _emulator = await AzureGcsEmulatorProcess.StartAsync("gcs-emulator", script, _ => [],
            new Dictionary<string, string> { ["PROJECT"] = "demo-cairn" });
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}
