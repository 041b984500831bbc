using Cairn.Br.Metadata;
using Cairn.Storage.Local;

namespace Cairn.Br.Tests.Metadata;

public sealed class BackupCheckpointTests : IDisposable
{
    private static readonly BackupCheckpointHeader Header = new(6_969_001, 445566, 0, "*.*|zstd", "br-5f1c");

    private readonly TempDirectory _dir = new("checkpoint");
    private readonly LocalStorage _storage;

    public BackupCheckpointTests() => _storage = new LocalStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private static void Record(BackupCheckpoint checkpoint, int range)
    {
        var files = MetaSamples.RangeFiles(range);
        checkpoint.RecordRange(files[0].StartKey.Memory, files[0].EndKey.Memory, files);
    }

    private static void AssertRanges(IEnumerable<int> expected, BackupCheckpoint checkpoint)
    {
        var want = expected.ToList();
        Assert.Equal(want.Count, checkpoint.CompletedRanges.Count);
        for (var i = 0; i < want.Count; i++)
        {
            var files = MetaSamples.RangeFiles(want[i]);
            var range = checkpoint.CompletedRanges[i];
            Assert.True(range.Start.Span.SequenceEqual(files[0].StartKey.Span));
            Assert.True(range.End.Span.SequenceEqual(files[0].EndKey.Span));
            Assert.Equal(files, range.Files);
        }
    }

    [Fact]
    public async Task Recorded_and_flushed_ranges_come_back_with_the_header_when_reopened()
    {
        var checkpoint = await BackupCheckpoint.CreateAsync(_storage, Header);
        Assert.Empty(checkpoint.CompletedRanges);
        for (var i = 0; i < 5; i++)
        {
            Record(checkpoint, i);
        }
        await checkpoint.FlushAsync();

        var reopened = await BackupCheckpoint.TryOpenAsync(_storage);
        Assert.NotNull(reopened);
        Assert.Equal(Header, reopened.Header);
        AssertRanges(Enumerable.Range(0, 5), reopened);
        Assert.Empty(reopened.DamagedSegments);
    }

    [Fact]
    public async Task A_storage_without_a_checkpoint_opens_as_none()
    {
        Assert.Null(await BackupCheckpoint.TryOpenAsync(_storage));
    }

    [Fact]
    public async Task Each_flush_writes_only_what_is_new_as_its_own_segment()
    {
        var checkpoint = await BackupCheckpoint.CreateAsync(_storage, Header);
        for (var flush = 0; flush < 60; flush++)
        {
            Record(checkpoint, flush * 2);
            Record(checkpoint, (flush * 2) + 1);
            await checkpoint.FlushAsync();
        }
        await checkpoint.FlushAsync(); // nothing new: no segment

        var segments = Directory.GetFiles(Path.Combine(_dir.Path, "checkpoint"), "ranges.*");
        Assert.Equal(60, segments.Length);
        var sizes = segments.Select(s => new FileInfo(s).Length).ToList();
        Assert.True(sizes.Max() - sizes.Min() < 64, $"segment sizes {sizes.Min()}..{sizes.Max()} should not grow with the flush count");
        AssertRanges(Enumerable.Range(0, 120), (await BackupCheckpoint.TryOpenAsync(_storage))!);
    }

    [Fact]
    public async Task A_crash_between_flushes_leaves_what_was_flushed_readable_and_the_job_can_go_on()
    {
        var first = await BackupCheckpoint.CreateAsync(_storage, Header);
        Record(first, 0);
        Record(first, 1);
        await first.FlushAsync();
        Record(first, 2); // recorded, never flushed: lost with the process
        // A torn write that a non-atomic store might leave behind, and the leftover temp file of an interrupted one.
        var folder = Path.Combine(_dir.Path, "checkpoint");
        var good = File.ReadAllBytes(Path.Combine(folder, "ranges.000000001"));
        File.WriteAllBytes(Path.Combine(folder, "ranges.000000002"), good[..(good.Length / 2)]);
        File.WriteAllBytes(Path.Combine(folder, ".ranges.000000003.tmp"), good[..10]);

        var resumed = (await BackupCheckpoint.TryOpenAsync(_storage))!;
        AssertRanges([0, 1], resumed);
        Assert.Equal(["checkpoint/ranges.000000002"], resumed.DamagedSegments);

        Record(resumed, 2);
        await resumed.FlushAsync();
        Assert.True(File.Exists(Path.Combine(folder, "ranges.000000003")));
        AssertRanges([0, 1, 2], (await BackupCheckpoint.TryOpenAsync(_storage))!);
    }

    [Fact]
    public async Task Ranges_recorded_from_many_threads_are_all_flushed()
    {
        var checkpoint = await BackupCheckpoint.CreateAsync(_storage, Header);
        var flushes = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await checkpoint.FlushAsync();
            }
        });
        Parallel.For(0, 500, i => Record(checkpoint, i));
        await flushes;
        await checkpoint.FlushAsync();

        Assert.Equal(0, checkpoint.PendingCount);
        var reopened = (await BackupCheckpoint.TryOpenAsync(_storage))!;
        Assert.Equal(500, reopened.CompletedRanges.Count);
        Assert.Equal(500, reopened.CompletedRanges.Select(r => Convert.ToHexString(r.Start.Span)).Distinct().Count());
    }

    [Fact]
    public async Task Nothing_named_backupmeta_is_written()
    {
        var checkpoint = await BackupCheckpoint.CreateAsync(_storage, Header);
        Record(checkpoint, 1);
        await checkpoint.FlushAsync();

        var names = Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.Path, f)).ToList();
        Assert.Equal(["checkpoint/header", "checkpoint/ranges.000000001"], names.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("backupmeta", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_checkpoint_is_refused_until_the_first_is_deleted()
    {
        var checkpoint = await BackupCheckpoint.CreateAsync(_storage, Header);
        Record(checkpoint, 1);
        await checkpoint.FlushAsync();

        var error = await Assert.ThrowsAsync<BrException>(() => BackupCheckpoint.CreateAsync(_storage, Header with { BackupTs = 1 }));
        Assert.Contains("already holds a backup checkpoint", error.Message, StringComparison.Ordinal);

        await BackupCheckpoint.DeleteAsync(_storage);
        Assert.Null(await BackupCheckpoint.TryOpenAsync(_storage));
        var fresh = await BackupCheckpoint.CreateAsync(_storage, Header with { BackupTs = 1 });
        Assert.Empty(fresh.CompletedRanges);
    }

    [Fact]
    public async Task An_unreadable_header_is_a_clear_error()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "checkpoint"));
        File.WriteAllBytes(Path.Combine(_dir.Path, "checkpoint", "header"), [0xFF, 0xFF, 0xFF]);
        var error = await Assert.ThrowsAsync<BrException>(() => BackupCheckpoint.TryOpenAsync(_storage));
        Assert.Contains("cannot be decoded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resume_with_another_cluster_base_or_job_says_which_differs()
    {
        Assert.Null(Header.ResumeMismatch(6_969_001, 0, "*.*|zstd"));
        Assert.Contains("cluster 6969001, not 5", Header.ResumeMismatch(5, 0, "*.*|zstd"), StringComparison.Ordinal);
        Assert.Contains("--lastbackupts 0, not 7", Header.ResumeMismatch(6_969_001, 7, "*.*|zstd"), StringComparison.Ordinal);
        Assert.Contains("different job", Header.ResumeMismatch(6_969_001, 0, "db.*|zstd"), StringComparison.Ordinal);
    }
}
