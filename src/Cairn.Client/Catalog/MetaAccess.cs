using System.Globalization;
using System.Text;
using Cairn.Client.Txn;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Client.Catalog;

/// <summary>
/// TiDB's meta structures (strings and hashes under <c>m</c>) read through a snapshot or a transaction, and written
/// through a transaction. Hash writes keep the field count in the hash meta key as TiDB's <c>TxStructure</c> does.
/// </summary>
internal sealed class MetaAccess
{
    private readonly Snapshot? _snapshot;
    private readonly Transaction? _txn;

    public MetaAccess(Snapshot snapshot) => _snapshot = snapshot;

    public MetaAccess(Transaction txn) => _txn = txn;

    public ulong StartTs => _txn?.StartTs ?? _snapshot!.Timestamp;

    private Transaction Txn => _txn ?? throw new InvalidOperationException("meta access is read-only");

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) =>
        _txn is not null ? _txn.GetAsync(key, cancellationToken) : _snapshot!.GetAsync(key, cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, CancellationToken cancellationToken) =>
        _txn is not null ? _txn.ScanAsync(start, end, int.MaxValue, cancellationToken) : _snapshot!.ScanAsync(start, end, int.MaxValue, false, cancellationToken);

    public async Task<long> GetIntAsync(string key, CancellationToken cancellationToken)
    {
        var value = await GetAsync(MetaKeys.StringKey(key), cancellationToken).ConfigureAwait(false);
        return value is null ? 0 : ParseInt(value);
    }

    public async Task<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        var next = await GetIntAsync(key, cancellationToken).ConfigureAwait(false) + delta;
        Txn.Set(MetaKeys.StringKey(key), FormatInt(next));
        return next;
    }

    public Task<byte[]?> HashGetAsync(string key, string field, CancellationToken cancellationToken) =>
        GetAsync(MetaKeys.HashFieldKey(key, field), cancellationToken);

    public async Task<long> HashGetIntAsync(string key, string field, CancellationToken cancellationToken)
    {
        var value = await HashGetAsync(key, field, cancellationToken).ConfigureAwait(false);
        return value is null ? 0 : ParseInt(value);
    }

    public async Task<IReadOnlyList<(string Field, byte[] Value)>> HashGetAllAsync(string key, CancellationToken cancellationToken)
    {
        var prefix = MetaKeys.HashFieldPrefix(key);
        var pairs = await ScanAsync(prefix, KeyBytes.PrefixNext(prefix), cancellationToken).ConfigureAwait(false);
        var result = new List<(string, byte[])>(pairs.Count);
        foreach (var pair in pairs)
        {
            var (_, field) = MetaKeys.DecodeHashFieldKey(pair.Key);
            result.Add((Encoding.UTF8.GetString(field), pair.Value));
        }

        return result;
    }

    public Task HashSetAsync(string key, string field, byte[] value, CancellationToken cancellationToken) =>
        HashSetAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(field), value, cancellationToken);

    public async Task HashSetAsync(byte[] key, byte[] field, byte[] value, CancellationToken cancellationToken)
    {
        var fieldKey = MetaKeys.HashFieldKey(key, field);
        if (await GetAsync(fieldKey, cancellationToken).ConfigureAwait(false) is null)
        {
            await AdjustCountAsync(key, 1, cancellationToken).ConfigureAwait(false);
        }

        Txn.Set(fieldKey, value);
    }

    /// <summary>Sets hash fields that do not exist yet (keyed by freshly allocated ids), counting them in one step without a read per field.</summary>
    public async Task HashSetNewFieldsAsync(string key, IReadOnlyList<(string Field, byte[] Value)> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var hash = Encoding.UTF8.GetBytes(key);
        foreach (var (field, value) in entries)
        {
            Txn.Set(MetaKeys.HashFieldKey(hash, Encoding.UTF8.GetBytes(field)), value);
        }

        await AdjustCountAsync(hash, entries.Count, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> HashIncrementAsync(string key, string field, long delta, CancellationToken cancellationToken)
    {
        var next = await HashGetIntAsync(key, field, cancellationToken).ConfigureAwait(false) + delta;
        await HashSetAsync(key, field, FormatInt(next), cancellationToken).ConfigureAwait(false);
        return next;
    }

    public async Task HashDeleteAsync(string key, string field, CancellationToken cancellationToken)
    {
        var fieldKey = MetaKeys.HashFieldKey(key, field);
        if (await GetAsync(fieldKey, cancellationToken).ConfigureAwait(false) is not null)
        {
            await AdjustCountAsync(Encoding.UTF8.GetBytes(key), -1, cancellationToken).ConfigureAwait(false);
            Txn.Delete(fieldKey);
        }
    }

    /// <summary>Deletes every field of a hash and its meta key.</summary>
    public async Task HashClearAsync(string key, CancellationToken cancellationToken)
    {
        var prefix = MetaKeys.HashFieldPrefix(key);
        var pairs = await ScanAsync(prefix, KeyBytes.PrefixNext(prefix), cancellationToken).ConfigureAwait(false);
        foreach (var pair in pairs)
        {
            Txn.Delete(pair.Key);
        }

        Txn.Delete(MetaKeys.HashMetaKey(key));
    }

    internal static byte[] FormatInt(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    internal static long ParseInt(byte[] value) => long.Parse(Encoding.ASCII.GetString(value), CultureInfo.InvariantCulture);

    private async Task AdjustCountAsync(byte[] key, long delta, CancellationToken cancellationToken)
    {
        var metaKey = MetaKeys.HashMetaKey(key);
        var current = await GetAsync(metaKey, cancellationToken).ConfigureAwait(false);
        var count = MetaKeys.DecodeHashMetaValue(current ?? []) + delta;
        Txn.Set(metaKey, MetaKeys.EncodeHashMetaValue(Math.Max(0, count)));
    }
}
