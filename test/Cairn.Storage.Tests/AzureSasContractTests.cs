using Cairn.Storage.Azure;
using Cairn.Storage.Tests.Contract;

namespace Cairn.Storage.Tests;

/// <summary>The storage contract on azurite with an account SAS instead of the account key.</summary>
public sealed class AzureSasContractTests : CredentialedStorageContractTests, IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _azurite;
    private readonly string _sas = AzuriteFixture.AccountSas();

    public AzureSasContractTests(AzuriteFixture azurite) => _azurite = azurite;

    protected override IEnumerable<string> Secrets => [Signature(_sas), AzuriteFixture.AccountKey];

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        await AzureBlobStorage.OpenAsync(Options(context, _sas), cancellationToken);

    protected override async ValueTask<(IExternalStorage? Storage, StorageException? OpenError, string WrongSecret)> OpenWithWrongCredentialsAsync(
        StorageContractContext context, CancellationToken cancellationToken)
    {
        var forged = AzuriteFixture.AccountSas(key: Convert.ToBase64String(AzureGcsTestHelpers.RandomBytes(64)));
        var options = Options(context, forged);
        try
        {
            return (await AzureBlobStorage.OpenAsync(options, cancellationToken), null, Signature(forged));
        }
        catch (StorageException e)
        {
            return (await AzureBlobStorage.OpenAsync(options with { CheckContainerOnOpen = false }, cancellationToken), e, Signature(forged));
        }
    }

    private AzureBlobOptions Options(StorageContractContext context, string sas) =>
        _azurite.Options(context.Prefix) with { AccountKey = null, SasToken = sas, BlockSize = context.PartSize, ListPageSize = context.ListPageSize };

    private static string Signature(string sas) => Uri.UnescapeDataString(sas[(sas.IndexOf("sig=", StringComparison.Ordinal) + 4)..]);
}
