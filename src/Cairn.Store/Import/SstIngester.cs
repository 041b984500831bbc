using System.Collections.Concurrent;
using Cairn.RocksDb;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Cairn.Store.Regions;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Import;

/// <summary>
/// The Ingest half of restore (br-spec-2 §2): checks the request's region as an admin request (leader, conf_ver and
/// version), then each SST against the region (its region id, epoch and range), and moves the staged files into
/// the engine. Files of one MultiIngest go in with one RocksDB ingest per column family, default before write, so a
/// reader that sees a write record also finds its value. The region stays entered for the whole ingest, so a move
/// of the region away (which freezes it and waits for entered requests) cannot take the region's data while files
/// are still going in.
/// </summary>
internal sealed class SstIngester
{
    private const int Level0Busy = 20;
    private readonly StoreEngine _engine;
    private readonly RegionManager _regions;
    private readonly ImportDirectory _dir;
    private readonly ImportModeSwitcher _mode;
    private readonly ConcurrentDictionary<string, byte> _ingesting = new(StringComparer.Ordinal);

    /// <summary>Creates the ingester.</summary>
    public SstIngester(StoreEngine engine, RegionManager regions, ImportDirectory dir, ImportModeSwitcher mode)
    {
        _engine = engine;
        _regions = regions;
        _dir = dir;
        _mode = mode;
    }

    /// <summary>Ingests <paramref name="ssts"/> into the region named by <paramref name="context"/>; failures come back as the response's error.</summary>
    public IngestResponse Ingest(Context? context, IReadOnlyList<SSTMeta> ssts)
    {
        if (ssts.Count == 0)
        {
            // An empty MultiIngest is how br probes for the RPC; there is nothing to do.
            return new IngestResponse();
        }

        // TiKV refuses ingests in Normal mode while L0 of the write CF is as full as the slowdown trigger.
        if (_mode.Mode == SwitchMode.Normal && _engine.Db.GetIntProperty(_engine.Write, "rocksdb.num-files-at-level0") >= Level0Busy)
        {
            return Fail(RegionErrors.ServerIsBusy("too many sst files are ingesting", 1000));
        }

        if (_regions.Enter(context, checkConfVer: true, out var region) is { } regionError)
        {
            // Files staged for an epoch the region has left (split, merged, moved away) can never be ingested here:
            // br downloads them again for the new epoch, so keeping them would only leak disk.
            if (regionError.EpochNotMatch is not null || regionError.RegionNotFound is not null)
            {
                DeleteStaged(ssts);
            }

            return Fail(regionError);
        }

        var taken = new List<string>(ssts.Count);
        try
        {
            var byCf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var sst in ssts)
            {
                if (Check(sst, region) is { } error)
                {
                    // As TiKV: a file staged for another epoch or outside the region can never be ingested.
                    // The whole request is refused, so its other stale files go too, not only the first one found.
                    if (error.EpochNotMatch is not null || error.KeyNotInRegion is not null)
                    {
                        DeleteStaged(ssts.Where(s => Check(s, region) is { EpochNotMatch: not null } or { KeyNotInRegion: not null }));
                    }

                    return Fail(error);
                }

                var path = _dir.StagedPath(sst)!;
                if (!_ingesting.TryAdd(path, 0))
                {
                    return Fail(new RegionError { Message = "ingest file conflict" });
                }

                taken.Add(path);
                if (!File.Exists(path))
                {
                    // Usually a retry of an ingest that already succeeded: the file went into the engine then.
                    return Fail(new RegionError
                    {
                        Message = $"The file which would be ingested does not exist ({Path.GetFileName(path)}); it was ingested already or never downloaded.",
                        StaleCommand = new Rpc.Errorpb.StaleCommand(),
                    });
                }

                var cf = sst.CfName.Length == 0 ? CfNames.Default : sst.CfName;
                if (!byCf.TryGetValue(cf, out var files))
                {
                    byCf[cf] = files = [];
                }

                files.Add(path);
            }

            var options = new IngestOptions { MoveFiles = true };
            foreach (var cf in (string[])[CfNames.Default, CfNames.Write])
            {
                if (byCf.TryGetValue(cf, out var files))
                {
                    _engine.Db.IngestExternalFiles(_engine.ResolveCf(cf)!, files, options);
                }
            }

            return new IngestResponse();
        }
        catch (RocksDbException e)
        {
            return Fail(new RegionError { Message = $"ingest into region {region.Id} failed: {e.Message}" });
        }
        finally
        {
            foreach (var path in taken)
            {
                _ingesting.TryRemove(path, out _);
            }

            _regions.Exit(region.Id);
        }
    }

    /// <summary>
    /// Deletes every staged file no ingest is using and returns how many went. Called when br switches the store
    /// back to Normal, which is how a restore ends: files staged by a restore that died between download and ingest
    /// are never ingested by anyone (a resumed restore downloads its files again under new uuids), so they would only
    /// hold disk until the store restarts. A restore still running elsewhere while another switches the store to
    /// Normal loses its import mode too, as with TiKV; a deleted staged file makes its ingest fail and be downloaded
    /// again.
    /// </summary>
    public int RemoveLeftovers()
    {
        var removed = 0;
        foreach (var path in _dir.StagedFiles())
        {
            if (!_ingesting.ContainsKey(path) && TryDelete(path))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Deletes the staged file of <paramref name="sst"/> unless an ingest is using it.</summary>
    public void DiscardStaged(SSTMeta sst) => DeleteStaged([sst]);

    private void DeleteStaged(IEnumerable<SSTMeta> ssts)
    {
        foreach (var sst in ssts)
        {
            if (_dir.StagedPath(sst) is { } path && !_ingesting.ContainsKey(path))
            {
                TryDelete(path);
            }
        }
    }

    private RegionError? Check(SSTMeta sst, Region region)
    {
        if (_dir.StagedPath(sst) is null)
        {
            return new RegionError { Message = $"invalid uuid: the sst uuid must be 16 bytes, got {sst.Uuid.Length}" };
        }

        if (sst.CfName is not ("" or CfNames.Default or CfNames.Write))
        {
            return new RegionError { Message = $"cannot ingest into column family '{sst.CfName}': only default and write are ingested" };
        }

        if (sst.RegionId != region.Id)
        {
            return RegionErrors.RegionNotFound(sst.RegionId);
        }

        var epoch = sst.RegionEpoch;
        if (epoch is null || epoch.ConfVer != region.RegionEpoch.ConfVer || epoch.Version != region.RegionEpoch.Version)
        {
            return RegionErrors.EpochNotMatch(
                $"the sst was downloaded for epoch {{conf_ver: {epoch?.ConfVer ?? 0}, version: {epoch?.Version ?? 0}}} of region {region.Id}, "
                + $"which is now {{conf_ver: {region.RegionEpoch.ConfVer}, version: {region.RegionEpoch.Version}}}",
                [region]);
        }

        var range = sst.Range ?? new Rpc.ImportSstpb.Range();
        foreach (var key in (ReadOnlyMemory<byte>[])[range.Start.Memory, range.End.Memory])
        {
            if (!RegionManager.Contains(region, key.Span))
            {
                return RegionErrors.KeyNotInRegion(key.Span, region);
            }
        }

        return null;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IngestResponse Fail(RegionError error) => new() { Error = error };
}
