using Cairn.Storage.Azure;
using Cairn.Storage.Tests.Contract;

namespace Cairn.Storage.Tests;

/// <summary>The storage contract on azurite with Shared Key authorization.</summary>
public sealed class AzureContractTests : CredentialedStorageContractTests, IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _azurite;

    public AzureContractTests(AzuriteFixture azurite) => _azurite = azurite;

    protected override IEnumerable<string> Secrets => [AzuriteFixture.AccountKey];

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        await AzureBlobStorage.OpenAsync(_azurite.Options(context.Prefix) with { BlockSize = context.PartSize, ListPageSize = context.ListPageSize }, cancellationToken);

    protected override async ValueTask<(IExternalStorage? Storage, StorageException? OpenError, string WrongSecret)> OpenWithWrongCredentialsAsync(
        StorageContractContext context, CancellationToken cancellationToken)
    {
        var wrongKey = Convert.ToBase64String(AzureGcsTestHelpers.RandomBytes(64));
        var options = _azurite.Options(context.Prefix) with { AccountKey = wrongKey };
        try
        {
            return (await AzureBlobStorage.OpenAsync(options, cancellationToken), null, wrongKey);
        }
        catch (StorageException e)
        {
            // The container check at open fails already; a storage opened without the check must fail on use too.
            return (await AzureBlobStorage.OpenAsync(options with { CheckContainerOnOpen = false }, cancellationToken), e, wrongKey);
        }
    }
}
