namespace Cairn.Storage.Tests.Contract;

/// <summary>The contract plus what only a backend with credentials can show: wrong credentials fail clearly and safely.</summary>
public abstract class CredentialedStorageContractTests : StorageContractTests
{
    /// <summary>
    /// Opens the same kind of storage with a wrong secret (the one returned as <c>WrongSecret</c>). Return the
    /// exception thrown if opening itself fails (a backend that checks access at open), or the storage.
    /// </summary>
    protected abstract ValueTask<(IExternalStorage? Storage, StorageException? OpenError, string WrongSecret)> OpenWithWrongCredentialsAsync(StorageContractContext context, CancellationToken cancellationToken);

    [Fact]
    public async Task Wrong_credentials_fail_as_access_denied_without_the_secret_in_the_message()
    {
        var ct = Timeout();
        var (storage, openError, secret) = await OpenWithWrongCredentialsAsync(new StorageContractContext($"t-{Guid.NewGuid():N}", 1000, PartSize), ct);
        var errors = new List<StorageException>();
        if (openError is not null)
        {
            errors.Add(openError);
        }

        if (storage is not null)
        {
            await using (storage)
            {
                errors.Add(await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("denied.txt", ct)));
                errors.Add(await Assert.ThrowsAsync<StorageException>(async () => await storage.ExistsAsync("denied.txt", ct)));
                errors.Add(await Assert.ThrowsAsync<StorageException>(async () => await ListAsync(storage, "", ct)));
                // Last: radosgw answers a rejected upload without draining its body, so the next request on
                // that kept-alive connection would be read from the leftover bytes (400 Bad Request).
                errors.Add(await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync("denied.txt", "x"u8.ToArray(), ct)));
                Assert.DoesNotContain(secret, storage.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(secret, storage.Uri, StringComparison.Ordinal);
            }
        }

        Assert.NotEmpty(errors);
        foreach (var error in errors)
        {
            Assert.True(error.Kind == StorageErrorKind.AccessDenied, $"expected AccessDenied, got {error.Kind}: {error.Message}");
            Assert.False(error.IsTransient);
            for (Exception? e = error; e is not null; e = e.InnerException)
            {
                Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
            }
        }
    }
}
