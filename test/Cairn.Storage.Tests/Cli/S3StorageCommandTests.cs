using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.Cli;

/// <summary><c>cairn storage</c> against radosgw with BR's S3 flags.</summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3StorageCommandTests(RadosGatewayFixture rgw) : IDisposable
{
    private const string Bucket = "cli";
    private readonly TempDirectory _root = new("cli-s3");

    public void Dispose() => _root.Dispose();

    private string[] Flags(string secret) => ["--s3.endpoint", rgw.Endpoint.ToString(), "--s3.access-key", rgw.AccessKey, "--s3.secret-access-key", secret];

    [Fact]
    public async Task Put_ls_get_rm_through_s3_flags()
    {
        await rgw.EnsureBucketAsync(Bucket);
        var prefix = $"s3://{Bucket}/t-{Guid.NewGuid():N}";
        var data = TestData.Bytes((11 << 20) + 3, seed: 2);
        var input = Path.Combine(_root.Path, "in.bin");
        await File.WriteAllBytesAsync(input, data);

        var put = await CairnProcess.RunAsync(["storage", "put", $"{prefix}/sst/1.sst", input, "--ratelimit", "1000000000", .. Flags(rgw.SecretKey)]);
        Assert.True(put.ExitCode == 0, put.StandardError);
        Assert.DoesNotContain(rgw.SecretKey, put.StandardError, StringComparison.Ordinal);

        var ls = await CairnProcess.RunAsync(["storage", "ls", prefix, .. Flags(rgw.SecretKey)]);
        Assert.Equal($"sst/1.sst\t{data.Length}", ls.StandardOutput.Trim());

        var output = Path.Combine(_root.Path, "out.bin");
        var get = await CairnProcess.RunAsync(["storage", "get", $"{prefix}/sst/1.sst", output, .. Flags(rgw.SecretKey)]);
        Assert.True(get.ExitCode == 0, get.StandardError);
        Assert.Equal(TestData.Sha256(data), TestData.Sha256(await File.ReadAllBytesAsync(output)));

        var rm = await CairnProcess.RunAsync(["storage", "rm", $"{prefix}/sst/1.sst", .. Flags(rgw.SecretKey)]);
        Assert.Equal(0, rm.ExitCode);
        var empty = await CairnProcess.RunAsync(["storage", "ls", prefix, .. Flags(rgw.SecretKey)]);
        Assert.Equal("", empty.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_wrong_secret_exits_1_naming_the_bucket_without_the_secret()
    {
        await rgw.EnsureBucketAsync(Bucket);
        var wrong = "WrongSecret" + Guid.NewGuid().ToString("N");
        var result = await CairnProcess.RunAsync(["storage", "ls", $"s3://{Bucket}/p", .. Flags(wrong)]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"\"{Bucket}\"", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("wrong credentials", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
