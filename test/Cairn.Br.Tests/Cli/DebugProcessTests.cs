using System.Text.Json.Nodes;
using Cairn.Rpc.Backup;
using File = System.IO.File;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// <c>br debug</c> (and its alias <c>br validate</c>) as a process on copies of a backup that <c>br backup full</c>
/// made: files damaged on purpose are named, decode and encode round-trip, and an edited meta's overlaps are found.
/// </summary>
public sealed class DebugProcessTests(BackupFolderFixture fixture) : IClassFixture<BackupFolderFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("br-debug");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Debug_checksum_passes_an_intact_backup_and_names_a_corrupt_and_a_missing_file_with_exit_1()
    {
        var backup = fixture.CopyTo(_dir.Sub("b"));
        var intact = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "checksum", "-s", backup);
        Assert.True(intact.ExitCode == 0, intact.StandardOutput + intact.StandardError);
        Assert.Contains("checksum: ok", intact.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("shop.sbtest1: ", intact.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("MISMATCH", intact.StandardOutput, StringComparison.Ordinal);

        var ssts = Directory.GetFiles(backup, "*.sst", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.True(ssts.Length >= 2, $"the backup has {ssts.Length} SST files");
        var corrupt = ssts[0];
        var bytes = await File.ReadAllBytesAsync(corrupt);
        bytes[bytes.Length / 2] ^= 0x5a;
        await File.WriteAllBytesAsync(corrupt, bytes);
        var missing = ssts[^1];
        File.Delete(missing);

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "validate", "checksum", "-s", backup);

        Assert.True(exit == 1, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains($"bad file: {Path.GetFileName(corrupt)} is corrupt", stdout, StringComparison.Ordinal);
        Assert.Contains($"bad file: {Path.GetFileName(missing)} is missing", stdout, StringComparison.Ordinal);
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains("2 bad files", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_then_encode_gives_back_a_backupmeta_equal_to_the_original()
    {
        var backup = fixture.CopyTo(_dir.Sub("b"));

        var decode = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "decode", "-s", backup);
        var encode = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "encode", "-s", backup);
        var field = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "decode", "-s", backup, "--field", "end-version");

        Assert.True(decode.ExitCode == 0, decode.StandardError);
        Assert.True(encode.ExitCode == 0, encode.StandardError);
        Assert.True(field.ExitCode == 0, field.StandardError);
        Assert.True(File.Exists(Path.Combine(backup, "backupmeta.json")));
        var original = BackupMeta.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(backup, "backupmeta")));
        var encoded = BackupMeta.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(backup, "backupmeta_from_json")));
        Assert.Equal(original, encoded);
        Assert.Equal(original.EndVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), field.StandardOutput.Trim());
    }

    [Fact]
    public async Task Backupmeta_validate_passes_the_backup_and_reports_overlaps_once_the_meta_is_edited_to_have_them()
    {
        var backup = fixture.CopyTo(_dir.Sub("b"));
        var valid = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "backupmeta", "validate", "-s", backup, "--offset", "1000");
        Assert.True(valid.ExitCode == 0, valid.StandardOutput + valid.StandardError);
        Assert.Contains("backupmeta: valid", valid.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("from table ID 1001", valid.StandardOutput, StringComparison.Ordinal);

        Assert.Equal(0, (await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "decode", "-s", backup)).ExitCode);
        var jsonPath = Path.Combine(backup, "backupmeta.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(jsonPath))!;
        var files = json["files"]!.AsArray();
        // A second file over the first one's range, in its column family: what a broken writer would leave.
        var copy = files[0]!.DeepClone();
        copy["name"] = "overlapping.sst";
        files.Add(copy);
        await File.WriteAllTextAsync(jsonPath, json.ToJsonString());
        File.Delete(Path.Combine(backup, "backupmeta"));
        Assert.Equal(0, (await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "debug", "encode", "-s", backup)).ExitCode);

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "validate", "backupmeta", "validate", "-s", backup);

        Assert.True(exit == 1, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("overlap: ", stdout, StringComparison.Ordinal);
        Assert.Contains("overlapping.sst", stdout, StringComparison.Ordinal);
        Assert.Contains("overlapping file pairs", Assert.Single(BrProcess.Messages(stderr)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "no backupmeta", "debug", "checksum", "-s", "{empty}")]
    [InlineData(1, "does not exist", "debug", "decode", "-s", "{nowhere}")]
    [InlineData(1, "backupmeta.json", "debug", "encode", "-s", "{empty}")]
    [InlineData(2, "--storage", "debug", "checksum")]
    [InlineData(2, "--offset", "debug", "backupmeta", "validate", "-s", "{empty}", "--offset", "-3")]
    public async Task Debug_on_bad_input_exits_non_zero_with_one_line_naming_the_problem(int expected, string named, params string[] args)
    {
        Directory.CreateDirectory(_dir.Sub("empty"));
        string[] full = [.. args.Select(a => a.Replace("{empty}", _dir.Sub("empty"), StringComparison.Ordinal).Replace("{nowhere}", _dir.Sub("nowhere"), StringComparison.Ordinal))];

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), full);

        Assert.True(exit == expected, $"br {string.Join(' ', full)} exited with {exit}: {stderr}");
        Assert.Contains(named, Assert.Single(BrProcess.Messages(stderr)), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Sub("empty")));
        Assert.False(Directory.Exists(_dir.Sub("nowhere")));
    }
}
