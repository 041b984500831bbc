namespace Cairn.Storage.Local;

/// <summary>Writes into a temporary file and publishes it by rename on completion.</summary>
internal sealed class LocalStorageWriter : IStorageWriter
{
    private readonly FileStream _stream;
    private readonly string _tempPath;
    private readonly string _targetPath;
    private readonly string _path;
    private bool _completed;
    private bool _disposed;

    public LocalStorageWriter(FileStream stream, string tempPath, string targetPath, string path)
    {
        _stream = stream;
        _tempPath = tempPath;
        _targetPath = targetPath;
        _path = path;
    }

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        try
        {
            await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw LocalStorage.Map(ex, $"write {_path}");
        }
        BytesWritten += data.Length;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        try
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _stream.Flush(flushToDisk: true);
            await _stream.DisposeAsync().ConfigureAwait(false);
            File.Move(_tempPath, _targetPath, overwrite: true);
            _completed = true;
            Posix.FsyncDirectory(Path.GetDirectoryName(_targetPath)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw LocalStorage.Map(ex, $"complete {_path}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (!_completed)
        {
            try
            {
                File.Delete(_tempPath);
            }
            catch (IOException)
            {
                // Nothing more can be done; the name marks it as temporary and listings skip it.
            }
        }
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"the writer of {_path} is already complete");
        }
    }
}
