using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// Writes an SST file for <see cref="RocksDatabase.IngestExternalFiles"/>. Point keys (puts and deletes) must be added in
/// strictly ascending bytewise order; RocksDB rejects anything else with an InvalidArgument error. Not thread-safe.
/// Disposing a writer that was not finished removes the partial file.
/// </summary>
public sealed class SstFileWriter : IDisposable
{
    private readonly SstFileWriterSafeHandle _handle;
    private byte[]? _smallestPoint;
    private byte[] _lastPoint = new byte[64];
    private int _lastPointLength;
    private byte[]? _rangeMin;
    private byte[]? _rangeMax;
    private long _puts;
    private long _deletes;
    private long _rangeDeletes;
    private long _keyBytes;
    private long _valueBytes;
    private bool _done;

    private SstFileWriter(string path, SstFileWriterSafeHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    /// <summary>Entries added so far (puts, deletes and range deletions).</summary>
    public long Entries => _puts + _deletes + _rangeDeletes;

    /// <summary>Bytes written to the file so far (grows block by block).</summary>
    public long FileSize
    {
        get
        {
            NativeMethods.rocksdb_sstfilewriter_file_size(_handle, out var size);
            return (long)size;
        }
    }

    /// <summary>Creates the file at <paramref name="path"/> (overwriting it) and opens a writer on it.</summary>
    public static SstFileWriter Create(string path, SstFileWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SstFileWriterOptions();
        CompressionSupport.EnsureSupported(options.Compression);

        using var env = new EnvOptionsSafeHandle();
        env.Attach(NativeMethods.rocksdb_envoptions_create());
        using var native = OptionsBuilder.Create();
        NativeMethods.rocksdb_options_set_compression(native, (int)options.Compression);
        if (options.CompressionLevel is { } level)
        {
            NativeMethods.rocksdb_options_set_compression_options(native, -14, level, 0, 0);
        }

        OptionsBuilder.ApplyTable(native, options.BlockSize, options.BloomFilterBitsPerKey, cache: null);
        if (options.MvccPropertiesCollector)
        {
            OptionsBuilder.AddMvccCollector(native);
        }

        // The writer copies both option objects, so they are freed when this method returns.
        var handle = new SstFileWriterSafeHandle();
        handle.Attach(NativeMethods.rocksdb_sstfilewriter_create(env, native));
        try
        {
            NativeMethods.rocksdb_sstfilewriter_open(handle, path, out var err);
            NativeMethods.Check(err);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return new SstFileWriter(path, handle);
    }

    /// <summary>Adds a put. Keys must ascend strictly.</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfDone();
        NativeMethods.rocksdb_sstfilewriter_put(_handle, key, (nuint)key.Length, value, (nuint)value.Length, out var err);
        NativeMethods.Check(err);
        _puts++;
        _valueBytes += value.Length;
        NotePoint(key);
    }

    /// <summary>Adds a point deletion. Keys must ascend strictly.</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        ThrowIfDone();
        NativeMethods.rocksdb_sstfilewriter_delete(_handle, key, (nuint)key.Length, out var err);
        NativeMethods.Check(err);
        _deletes++;
        NotePoint(key);
    }

    /// <summary>Adds a range deletion of <c>[beginKey, endKey)</c>. Range deletions need not be ordered.</summary>
    public void DeleteRange(ReadOnlySpan<byte> beginKey, ReadOnlySpan<byte> endKey)
    {
        ThrowIfDone();
        NativeMethods.rocksdb_sstfilewriter_delete_range(_handle, beginKey, (nuint)beginKey.Length, endKey, (nuint)endKey.Length, out var err);
        NativeMethods.Check(err);
        _rangeDeletes++;
        if (_rangeMin is null || beginKey.SequenceCompareTo(_rangeMin) < 0)
        {
            _rangeMin = beginKey.ToArray();
        }

        if (_rangeMax is null || endKey.SequenceCompareTo(_rangeMax) > 0)
        {
            _rangeMax = endKey.ToArray();
        }
    }

    /// <summary>
    /// Finishes the file. Throws a <see cref="RocksDbException"/> (InvalidArgument) when nothing was added; the
    /// empty file RocksDB leaves behind is removed first.
    /// </summary>
    public SstFileInfo Finish()
    {
        if (!TryFinish(out var info))
        {
            throw new RocksDbException(
                $"Invalid argument: Cannot create sst file with no entries ({Path}); the empty file was removed.",
                RocksDbStatusKind.InvalidArgument);
        }

        return info;
    }

    /// <summary>
    /// Finishes the file. Returns false, and removes the file, when nothing was added: an empty key range is a
    /// normal outcome for a backup scan. Other failures throw and remove the partial file.
    /// </summary>
    public bool TryFinish(out SstFileInfo info)
    {
        ThrowIfDone();
        _done = true;
        NativeMethods.rocksdb_sstfilewriter_finish(_handle, out var err);
        if (err != IntPtr.Zero)
        {
            DeleteFileQuietly();
            if (Entries == 0)
            {
                NativeMethods.rocksdb_free(err);
                info = null!;
                return false;
            }

            NativeMethods.Check(err);
        }

        NativeMethods.rocksdb_sstfilewriter_file_size(_handle, out var size);
        _handle.Dispose();
        info = new SstFileInfo(Path, (long)size, _puts, _deletes, _rangeDeletes, Smallest(), Largest(), _keyBytes, _valueBytes);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        _handle.Dispose();
        if (!_done)
        {
            // Abandoned before Finish: the partial file is of no use to anyone.
            DeleteFileQuietly();
        }

        _done = true;
    }

    private void NotePoint(ReadOnlySpan<byte> key)
    {
        _keyBytes += key.Length;
        _smallestPoint ??= key.ToArray();
        if (_lastPoint.Length < key.Length)
        {
            _lastPoint = new byte[Math.Max(key.Length, _lastPoint.Length * 2)];
        }

        key.CopyTo(_lastPoint);
        _lastPointLength = key.Length;
    }

    private byte[] Smallest()
    {
        if (_smallestPoint is null)
        {
            return _rangeMin ?? [];
        }

        return _rangeMin is not null && _rangeMin.AsSpan().SequenceCompareTo(_smallestPoint) < 0 ? _rangeMin : _smallestPoint;
    }

    private byte[] Largest()
    {
        if (_smallestPoint is null)
        {
            return _rangeMax ?? [];
        }

        var last = _lastPoint.AsSpan(0, _lastPointLength);
        return _rangeMax is not null && _rangeMax.AsSpan().SequenceCompareTo(last) > 0 ? _rangeMax : last.ToArray();
    }

    private void ThrowIfDone()
    {
        if (_done)
        {
            throw new InvalidOperationException($"The SST writer for {Path} is already finished or disposed.");
        }
    }

    private void DeleteFileQuietly()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort: the caller gets the original error.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
