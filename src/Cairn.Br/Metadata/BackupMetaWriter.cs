using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Runtime.InteropServices;
using Cairn.Br.Crypto;
using Cairn.Common.Crypto;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Google.Protobuf;

namespace Cairn.Br.Metadata;

/// <summary>
/// Collects what a backup wrote (data files, schemas, DDL jobs) and writes the meta: <c>backupmeta</c> alone (v1), or
/// v2 meta files <c>backupmeta.{datafile|schema|ddl}.NNNNNNNNN</c> plus a <c>backupmeta</c> that indexes them.
/// <c>backupmeta</c> is written once, by <see cref="FinishAsync"/>, and last, so a folder that has it is complete.
/// Safe to call from several tasks at once.
/// </summary>
public sealed class BackupMetaWriter
{
    private const int FilesField = 4;
    private const int SchemasField = 7;
    private const int DdlsField = 10;
    private const int BrVersionField = 11;
    private const int StreamChunk = 1 << 20;

    private readonly IExternalStorage _storage;
    private readonly long _limit;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Rpc.Backup.File> _files = [];
    private readonly List<Schema> _schemas = [];
    private readonly List<ByteString> _ddls = [];
    private readonly MetaFileChain _dataChain = new(MetaFileKind.DataFile);
    private readonly MetaFileChain _schemaChain = new(MetaFileKind.Schema);
    private readonly MetaFileChain _ddlChain = new(MetaFileKind.Ddl);
    private readonly MetaCipher? _cipher;
    private bool _v2;
    private bool _finished;
    private long _v1Size;
    private long _metaFileBytes;
    private int _counter;

    /// <summary>
    /// Creates a writer into <paramref name="storage"/>. With <paramref name="useV2"/> false it still switches to v2
    /// by itself once the single <c>backupmeta</c> would exceed <paramref name="metaFileSizeLimit"/>, which is also
    /// the size at which a v2 meta file is cut.
    /// </summary>
    public BackupMetaWriter(IExternalStorage storage, bool useV2 = false, long metaFileSizeLimit = 128L << 20)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(metaFileSizeLimit);
        _storage = storage;
        _v2 = useV2;
        _limit = metaFileSizeLimit;
    }

    /// <summary>
    /// The keys of an encrypted backup: every meta file is encrypted (backupmeta with its IV in front, v2 meta files
    /// with theirs in the index entry) and <c>backup.crypter</c> carries backupmeta's MAC. Null for plaintext.
    /// </summary>
    internal MetaCipher? Cipher
    {
        get => _cipher;
        init
        {
            _cipher = value;
            _dataChain.Cipher = value;
            _schemaChain.Cipher = value;
            _ddlChain.Cipher = value;
        }
    }

    /// <summary>Whether the meta is being written as v2 (asked for, or switched to because it grew large).</summary>
    public bool IsV2 => _v2;

    /// <summary>Adds the files of one range; they stay adjacent (a v2 meta file is never cut inside one call).</summary>
    public ValueTask AddFilesAsync(IReadOnlyList<Rpc.Backup.File> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        return AddAsync(files, _files, _dataChain, static m => m.DataFiles, MessageSize, cancellationToken);
    }

    /// <summary>Adds one table's schema.</summary>
    public ValueTask AddSchemaAsync(Schema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return AddAsync([schema], _schemas, _schemaChain, static m => m.Schemas, MessageSize, cancellationToken);
    }

    /// <summary>
    /// Adds DDL jobs: <paramref name="ddlsJson"/> is a JSON array of TiDB jobs (<c>[]</c> when none). Several calls
    /// append. Throws <see cref="ArgumentException"/> when it is not a JSON array.
    /// </summary>
    public ValueTask AddDdlsAsync(ReadOnlyMemory<byte> ddlsJson, CancellationToken cancellationToken = default) =>
        AddAsync(SplitJsonArray(ddlsJson), _ddls, _ddlChain, static m => m.Ddls, BytesSize, cancellationToken);

    /// <summary>
    /// Writes the remaining v2 meta files, then <c>backupmeta</c> (exactly once, last) from <paramref name="header"/>
    /// (cluster_id, cluster_version, br_version, versions, raw flags and ranges) plus what was added; <c>version</c> is
    /// set here. Returns the total bytes of every meta file written (v2 files and <c>backupmeta</c>).
    /// </summary>
    public async Task<long> FinishAsync(BackupMeta header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFinished();
            var meta = header.Clone();
            if (meta.BrVersion.Length == 0)
            {
                meta.BrVersion = DefaultBrVersion();
            }
            // br_version goes last in the stream: BR's own (Go) writer also puts it after the lists, so a reader can tell
            // a backupmeta that was cut short at a field boundary by its missing br_version.
            var brVersion = meta.BrVersion;
            meta.BrVersion = "";
            if (_v2)
            {
                meta.Version = 1;
                foreach (var chain in new[] { _dataChain, _schemaChain, _ddlChain })
                {
                    _metaFileBytes += await chain.FlushAsync(_storage, NextNumber, _limit, cancellationToken).ConfigureAwait(false);
                }
                meta.FileIndex = _dataChain.HasContent ? _dataChain.Index : null;
                meta.SchemaIndex = _schemaChain.HasContent ? _schemaChain.Index : null;
                meta.DdlIndexes = _ddlChain.HasContent ? _ddlChain.Index : null;
                if (meta.Ddls.IsEmpty && !_ddlChain.HasContent)
                {
                    meta.Ddls = ByteString.CopyFromUtf8("[]");
                }
            }
            else
            {
                meta.Version = 0;
                if (_ddls.Count > 0 || meta.Ddls.IsEmpty)
                {
                    meta.Ddls = JoinJsonArray(SplitJsonArray(meta.Ddls.Memory).Concat(_ddls));
                }
            }
            var ddls = meta.Ddls;
            meta.Ddls = ByteString.Empty;
            var size = await WriteMetaAsync(meta, ddls, brVersion, cancellationToken).ConfigureAwait(false);
            _finished = true;
            return _metaFileBytes + size;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<long> WriteMetaAsync(BackupMeta meta, ByteString ddls, string brVersion, CancellationToken cancellationToken)
    {
        byte[]? iv = null;
        if (_cipher is not null)
        {
            // backup.crypter, which holds backupmeta's MAC, is written before backupmeta (still the last object, so a
            // folder that has it is complete): a first pass encrypts the same bytes under the same IV only to MAC them.
            iv = AesCtr.NewIv();
            using var mac = _cipher.NewMac();
            mac.AppendData(iv);
            long size = iv.Length;
            using (var encryptor = _cipher.Encryptor(iv))
            {
                await StreamMetaAsync(meta, ddls, brVersion, (chunk, _) =>
                {
                    var span = MemoryMarshal.AsMemory(chunk).Span;
                    encryptor.Transform(span);
                    mac.AppendData(span);
                    size += span.Length;
                    return ValueTask.CompletedTask;
                }, cancellationToken).ConfigureAwait(false);
            }
            var crypter = CrypterFile.For(_cipher, size, mac.GetHashAndReset());
            var json = crypter.ToJson();
            await _storage.WriteAllAsync(CrypterFile.Name, json, cancellationToken).ConfigureAwait(false);
            _metaFileBytes += json.Length;
        }

        var writer = await _storage.CreateAsync(BackupFiles.Meta, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            if (iv is null)
            {
                await StreamMetaAsync(meta, ddls, brVersion, (chunk, ct) => writer.WriteAsync(chunk, ct), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await writer.WriteAsync(iv, cancellationToken).ConfigureAwait(false);
                using var encryptor = _cipher!.Encryptor(iv);
                await StreamMetaAsync(meta, ddls, brVersion, (chunk, ct) =>
                {
                    encryptor.Transform(MemoryMarshal.AsMemory(chunk).Span);
                    return writer.WriteAsync(chunk, ct);
                }, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return writer.BytesWritten;
        }
    }

    // Serialises backupmeta into chunks handed to writer in order; the chunk's memory is the sink's until it returns.
    private async ValueTask StreamMetaAsync(BackupMeta meta, ByteString ddls, string brVersion, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writer, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(StreamChunk + (StreamChunk / 4));
        meta.WriteTo(buffer);
        // Repeated fields may follow the rest in any order; appending them item by item streams a large v1 meta
        // instead of building the whole message a second time.
        foreach (var file in _files)
        {
            WriteField(buffer, FilesField, file);
            await DrainAsync(writer, buffer, StreamChunk, cancellationToken).ConfigureAwait(false);
        }
        foreach (var schema in _schemas)
        {
            WriteField(buffer, SchemasField, schema);
            await DrainAsync(writer, buffer, StreamChunk, cancellationToken).ConfigureAwait(false);
        }
        var tail = new BackupMeta { Ddls = ddls, BrVersion = brVersion };
        tail.WriteTo(buffer);
        await DrainAsync(writer, buffer, 0, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteField(ArrayBufferWriter<byte> buffer, int field, IMessage message)
    {
        var length = message.CalculateSize();
        var header = buffer.GetSpan(10);
        var n = WriteVarint(header, (uint)((field << 3) | 2));
        n += WriteVarint(header[n..], (uint)length);
        buffer.Advance(n);
        message.WriteTo(buffer);
    }

    private static int WriteVarint(Span<byte> into, uint value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            into[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        into[n++] = (byte)value;
        return n;
    }

    private static async ValueTask DrainAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writer, ArrayBufferWriter<byte> buffer, int threshold, CancellationToken cancellationToken)
    {
        if (buffer.WrittenCount > threshold)
        {
            await writer(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }
    }

    private async ValueTask AddAsync<T>(IReadOnlyList<T> items, List<T> v1, MetaFileChain chain, Func<MetaFile, IList<T>> v2, Func<T, int> size, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFinished();
            foreach (var item in items)
            {
                if (_v2)
                {
                    v2(chain.Current).Add(item);
                    chain.Grow(size(item));
                }
                else
                {
                    v1.Add(item);
                    _v1Size += size(item);
                }
            }
            if (!_v2 && _v1Size > _limit)
            {
                // Everything gathered so far moves into the v2 meta files; from here on items go there directly.
                _v2 = true;
                Move(_files, _dataChain, static m => m.DataFiles, MessageSize);
                Move(_schemas, _schemaChain, static m => m.Schemas, MessageSize);
                Move(_ddls, _ddlChain, static m => m.Ddls, BytesSize);
                _v1Size = 0;
            }
            if (_v2 && chain.IsFull(_limit))
            {
                _metaFileBytes += await chain.FlushAsync(_storage, NextNumber, _limit, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void Move<T>(List<T> v1, MetaFileChain chain, Func<MetaFile, IList<T>> v2, Func<T, int> size)
    {
        var into = v2(chain.Current);
        foreach (var item in v1)
        {
            into.Add(item);
            chain.Grow(size(item));
        }
        v1.Clear();
    }

    private static int MessageSize(IMessage message) => CodedOutputStream.ComputeMessageSize(message) + 1;

    private static int BytesSize(ByteString bytes) => CodedOutputStream.ComputeBytesSize(bytes) + 1;

    private int NextNumber() => ++_counter;

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException("backupmeta was already written; a BackupMetaWriter finishes once");
        }
    }

    internal static List<ByteString> SplitJsonArray(ReadOnlyMemory<byte> json)
    {
        var jobs = new List<ByteString>();
        if (json.IsEmpty)
        {
            return jobs;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ArgumentException("the DDL jobs must be a JSON array (\"[]\" when there are none)", nameof(json));
            }
            foreach (var job in document.RootElement.EnumerateArray())
            {
                jobs.Add(ByteString.CopyFromUtf8(job.GetRawText()));
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the DDL jobs are not valid JSON: {e.Message}", nameof(json), e);
        }
        return jobs;
    }

    internal static ByteString JoinJsonArray(IEnumerable<ByteString> jobs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("["u8);
        var first = true;
        foreach (var job in jobs)
        {
            if (!first)
            {
                buffer.Write(","u8);
            }
            buffer.Write(job.Span);
            first = false;
        }
        buffer.Write("]"u8);
        return ByteString.CopyFrom(buffer.WrittenSpan);
    }

    private static string DefaultBrVersion()
    {
        var version = typeof(BackupMetaWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return $"BR\nRelease Version: cairn-{version}";
    }
}
