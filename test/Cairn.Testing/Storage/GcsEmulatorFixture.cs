using Cairn.Storage;
using Cairn.Storage.Gcs;

namespace Cairn.Testing.Storage;

/// <summary>
/// The firebase-tools storage emulator (GCS JSON API) started through scripts/emulators/gcs-emulator.js on a free
/// port, with its temp files in a private folder, once per test run and setting
/// (<see cref="AzureGcsEmulatorProcess.StartSharedAsync"/>), and a fresh bucket name per fixture: use it as an
/// <c>IClassFixture</c>. The emulator creates
/// buckets on first use (its bucket-create endpoint is not implemented). Requires `scripts/setup.sh storage`.
/// </summary>
/// <remarks>
/// By default with the launcher's chunked-upload layer (GCS_CHUNKED_UPLOADS=1): the emulator ends a resumable session
/// at its first PUT, while the SDK (as GCS expects) sends large objects chunk by chunk. The layer answers intermediate
/// chunks with 308 and the stored range, as GCS documents, and hands the assembled object to the emulator; it refuses
/// what GCS refuses (misaligned chunks, wrong offsets) and accepts nothing GCS would not. It is ours, written from
/// the protocol description: a stand-in for GCS's behaviour, not GCS itself. <see cref="GcsPlainEmulatorFixture"/>
/// runs the emulator without it.
/// </remarks>
public class GcsEmulatorFixture : IAsyncLifetime
{
    private readonly string _chunkedUploads;
    private AzureGcsEmulatorProcess? _emulator;

    /// <summary>The emulator completed by the launcher's chunked-upload layer.</summary>
    public GcsEmulatorFixture()
        : this(chunkedUploads: "1")
    {
    }

    /// <param name="chunkedUploads">GCS_CHUNKED_UPLOADS for the launcher: "0" (off), "1" (chunked uploads) or "partial"
    /// (chunked uploads that keep only half of each large chunk).</param>
    protected GcsEmulatorFixture(string chunkedUploads) => _chunkedUploads = chunkedUploads;

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
        var script = Path.Combine(RepoPaths.Root, "scripts", "emulators", "gcs-emulator.js");
        _emulator = await AzureGcsEmulatorProcess.StartSharedAsync("gcs-emulator/" + _chunkedUploads, () => AzureGcsEmulatorProcess.StartAsync("gcs-emulator", script, _ => [],
            new Dictionary<string, string> { ["PROJECT"] = "demo-cairn", ["GCS_CHUNKED_UPLOADS"] = _chunkedUploads })).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task DisposeAsync() => Task.CompletedTask;
}
