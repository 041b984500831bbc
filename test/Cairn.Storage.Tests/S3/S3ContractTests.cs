using Cairn.Storage.S3;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.S3;

/// <summary>The contract on S3, straight to radosgw.</summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3ContractTests(RadosGatewayFixture rgw) : CredentialedStorageContractTests
{
    private const string Bucket = "contract";

    protected override IEnumerable<string> Secrets => [rgw.SecretKey];

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken)
    {
        await rgw.EnsureBucketAsync(Bucket);
        var options = rgw.Options(Bucket, context.Prefix) with { ListPageSize = context.ListPageSize, PartSize = context.PartSize };
        return await S3Storage.OpenAsync(options, RetryPolicy.None, cancellationToken);
    }

    protected override async ValueTask<(IExternalStorage? Storage, StorageException? OpenError, string WrongSecret)> OpenWithWrongCredentialsAsync(StorageContractContext context, CancellationToken cancellationToken)
    {
        await rgw.EnsureBucketAsync(Bucket);
        var wrong = "wrongSecret" + Guid.NewGuid().ToString("N");
        var options = rgw.Options(Bucket, context.Prefix) with { SecretAccessKey = wrong };
        var error = await Assert.ThrowsAsync<StorageException>(async () => await S3Storage.OpenAsync(options, null, cancellationToken));
        Assert.Contains("\"contract\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrong credentials", error.Message, StringComparison.Ordinal);
        // Without the check at open, every operation must fail the same way.
        var unchecked_ = await S3Storage.OpenAsync(options with { CheckBucketOnOpen = false }, null, cancellationToken);
        return (unchecked_, error, wrong);
    }
}
