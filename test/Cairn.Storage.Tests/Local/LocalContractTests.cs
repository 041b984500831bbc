using Cairn.Storage.Local;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.Local;

/// <summary>The contract on a local folder.</summary>
public sealed class LocalContractTests : StorageContractTests, IDisposable
{
    private readonly TempDirectory _root = new("local");

    protected override ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IExternalStorage>(new LocalStorage(Path.Combine(_root.Path, context.Prefix)));

    public void Dispose() => _root.Dispose();
}
