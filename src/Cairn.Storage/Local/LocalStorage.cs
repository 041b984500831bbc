using System.Runtime.CompilerServices;

namespace Cairn.Storage.Local;

/// <summary>
/// A folder on a local (or mounted) file system. Writes are atomic: bytes go to a temporary file beside the
/// target, which is fsynced, renamed into place, and the directory fsynced, so a crash leaves either the old
/// object or the new one, never a torn file. Temporary files are hidden from listings.
/// </summary>
public sealed class LocalStorage : IExternalStorage
{
    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    private readonly string _base;

    /// <summary>
    /// Opens the folder <paramref name="basePath"/>; relative paths are made absolute. Opening, listing and reading
    /// have no side effects: the folder is created by the first write.
    /// </summary>
    public LocalStorage(string basePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(basePath);
        _base = Path.TrimEndingDirectorySeparator(Path.GetFullPath(basePath));
    }

    /// <summary>The absolute base folder.</summary>
    public string BasePath => _base;

    /// <inheritdoc/>
    public string Uri => "file://" + _base;

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        var target = Resolve(path);
        try
        {
            var directory = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{StoragePath.TempSuffix}");
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            return ValueTask.FromResult<IStorageWriter>(new LocalStorageWriter(stream, temp, target, Describe(path)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Map(ex, $"create {Describe(path)}");
        }
    }

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        var full = Resolve(path);
        FileStream stream;
        try
        {
            stream = new FileStream(full, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Map(Directory.Exists(full) ? new FileNotFoundException("a folder, not an object", full) : ex, $"open {Describe(path)}");
        }
        var size = stream.Length;
        var start = Math.Min(offset, size);
        stream.Position = start;
        var available = size - start;
        return ValueTask.FromResult<Stream>(new BoundedReadStream(stream, length is { } l ? Math.Min(l, available) : available));
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = Resolve(path);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Map(Directory.Exists(full) ? new FileNotFoundException("a folder, not an object", full) : ex, $"read {Describe(path)}");
        }
    }

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var writer = await CreateAsync(path, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(Resolve(path)));

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = Resolve(path);
        if (Directory.Exists(full))
        {
            // File.Delete reports a folder as "access denied", which sends people looking at permissions.
            throw new StorageException($"cannot delete {Describe(path)}: it is a folder, not an object", isTransient: false, StorageErrorKind.InvalidArgument);
        }

        try
        {
            File.Delete(full);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Map(ex, $"delete {Describe(path)}");
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = StoragePath.NormalizeDirectory(prefix);
        var root = directory.Length == 0 ? _base : Path.Combine(_base, directory);
        if (!Directory.Exists(root))
        {
            yield break;
        }

        await Task.Yield();
        foreach (var file in Directory.EnumerateFiles(root, "*", ListOptions))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.EndsWith(StoragePath.TempSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            long size;
            try
            {
                size = new FileInfo(file).Length;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted while we were listing
            }
            var relative = Path.GetRelativePath(_base, file);
            if (Path.DirectorySeparatorChar != '/')
            {
                relative = relative.Replace(Path.DirectorySeparatorChar, '/');
            }

            yield return new StorageObject(relative, size);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => $"LocalStorage({Uri})";

    /// <summary>
    /// A hidden temp path in the storage's folder for <paramref name="path"/>, on the same file system, for a writer
    /// that produces the file itself (a store's SST writer) and then calls <see cref="PublishFile"/>; listings skip it.
    /// </summary>
    public string TempPathFor(string path)
    {
        var target = Resolve(path);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{StoragePath.TempSuffix}");
    }

    /// <summary>
    /// Makes a finished file from <see cref="TempPathFor"/>, already flushed to disk by its writer, the object at
    /// <paramref name="path"/>: renamed into place, then the folder fsynced, as a completed writer does.
    /// </summary>
    public void PublishFile(string tempPath, string path)
    {
        var target = Resolve(path);
        try
        {
            File.Move(tempPath, target, overwrite: true);
            Posix.FsyncDirectory(Path.GetDirectoryName(target)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Map(ex, $"publish {path}");
        }
    }

    private string Resolve(string path)
    {
        StoragePath.Validate(path);
        var full = Path.GetFullPath(Path.Combine(_base, path));
        // Validate already rules out escapes; this is a second line of defence.
        if (!full.StartsWith(_base + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new StorageException($"invalid storage path \"{path}\": it resolves outside {Uri}", isTransient: false, StorageErrorKind.InvalidArgument);
        }

        return full;
    }

    internal string Describe(string path) => StoragePath.Join(Uri, path);

    internal static StorageException Map(Exception ex, string operation) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException =>
            new StorageException($"cannot {operation}: not found", isTransient: false, StorageErrorKind.NotFound, ex),
        UnauthorizedAccessException =>
            new StorageException($"cannot {operation}: access denied", isTransient: false, StorageErrorKind.AccessDenied, ex),
        _ => new StorageException($"cannot {operation}: {ex.Message}", isTransient: false, StorageErrorKind.Other, ex),
    };
}
