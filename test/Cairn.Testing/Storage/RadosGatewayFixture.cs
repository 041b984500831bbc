using Cairn.Storage;
using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Testing.Storage;

/// <summary>
/// Starts one Ceph radosgw (scripts/rgw-start.sh) for the whole test run, on free ports in a temp folder,
/// with a fresh random test user; creates buckets on request; stops it and removes the folder at the end.
/// When radosgw is not installed every test using it fails with an explanation (it is never skipped).
/// A test assembly uses it through one <c>[CollectionDefinition]</c> with <c>ICollectionFixture&lt;RadosGatewayFixture&gt;</c>
/// (xUnit wants the definition in the test assembly itself), so each test run starts one gateway.
/// </summary>
public sealed class RadosGatewayFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _buckets = new(StringComparer.Ordinal);
    private TempDirectory? _dir;

    /// <summary>The S3 endpoint, http://127.0.0.1:port.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The test user's access key id.</summary>
    public string AccessKey { get; } = "CAIRN" + Guid.NewGuid().ToString("N")[..15].ToUpperInvariant();

    /// <summary>The test user's secret key; tests check it never shows in messages.</summary>
    public string SecretKey { get; } = "cairnSecret" + Guid.NewGuid().ToString("N");

    /// <summary>Where the cluster's files live.</summary>
    public string Directory => _dir!.Path;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/radosgw") && !OnPath("radosgw"))
        {
            throw new InvalidOperationException("radosgw is not installed, so the S3 tests cannot run: install it with `scripts/setup.sh storage`.");
        }

        _dir = new TempDirectory("rgw");
        var s3Port = FreePorts.One();
        var monPort = FreePorts.One();
        var osdMin = FreePorts.Block(16);
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { RepoPaths.Script("rgw-start.sh"), Path.Combine(_dir.Path, "cluster"), s3Port.ToString(), monPort.ToString(), osdMin.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["RGW_ACCESS_KEY"] = AccessKey,
                ["RGW_SECRET_KEY"] = SecretKey,
                ["RGW_MEMSTORE_BYTES"] = (2L << 30).ToString(),
                ["RGW_OWNER_PID"] = Environment.ProcessId.ToString(),
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot run bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await StopAsync();
            throw new InvalidOperationException("rgw-start.sh did not finish within 3 minutes");
        }
        if (process.ExitCode != 0)
        {
            var output = (await stdout) + (await stderr);
            await StopAsync();
            throw new InvalidOperationException($"rgw-start.sh failed with exit code {process.ExitCode}: {output}");
        }
        Endpoint = new Uri($"http://127.0.0.1:{s3Port}");
    }

    /// <inheritdoc/>
    public Task DisposeAsync() => StopAsync();

    /// <summary>S3 options for <paramref name="bucket"/>/<paramref name="prefix"/> with the test user's keys.</summary>
    public S3Options Options(string bucket, string prefix, Uri? endpoint = null) => new()
    {
        Bucket = bucket,
        Prefix = prefix,
        Endpoint = (endpoint ?? Endpoint).ToString().TrimEnd('/'),
        AccessKey = AccessKey,
        SecretAccessKey = SecretKey,
    };

    /// <summary>Creates <paramref name="bucket"/> once per run (later calls wait for the first).</summary>
    public Task EnsureBucketAsync(string bucket) =>
        _buckets.GetOrAdd(bucket, name => new Lazy<Task>(() => CreateBucketAsync(name))).Value;

    /// <summary>A raw SDK client for checks the storage interface does not offer.</summary>
    public AmazonS3Client CreateClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            // As in S3Storage: radosgw 16 refuses the 4.x SDK's default aws-chunked checksum trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private async Task CreateBucketAsync(string bucket)
    {
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
    }

    private async Task StopAsync()
    {
        if (_dir is null)
        {
            return;
        }

        var stop = new ProcessStartInfo("bash") { ArgumentList = { RepoPaths.Script("rgw-stop.sh"), Path.Combine(_dir.Path, "cluster") } };
        using (var process = Process.Start(stop))
        {
            if (process is not null)
            {
                await process.WaitForExitAsync();
            }
        }
        _dir.Dispose();
        _dir = null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(p => File.Exists(Path.Combine(p, tool)));
}
