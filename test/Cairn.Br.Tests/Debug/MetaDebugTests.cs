using System.Text;
using System.Text.Json;
using Cairn.Br.Debug;
using Cairn.Br.Metadata;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Tests.Debug;

public sealed class MetaDebugTests
{
    private static JsonElement ReadJson(DebugBackup backup) =>
        JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(backup.Folder, BackupFiles.MetaJson))).RootElement;

    [Fact]
    public async Task Decode_writes_backupmeta_json_with_keys_and_hashes_in_hex_and_schemas_as_json()
    {
        using var backup = await DebugBackup.CreateAsync();
        Assert.Equal("backupmeta.json", await MetaDebug.DecodeAsync(backup.Storage));

        var json = ReadJson(backup);
        Assert.Equal(77UL, json.GetProperty("cluster_id").GetUInt64());
        Assert.Equal(DebugBackup.BackupTs, json.GetProperty("end_version").GetUInt64());
        Assert.False(json.TryGetProperty("start_version", out _));
        var file = json.GetProperty("files")[0];
        Assert.Equal(Convert.ToHexStringLower(backup.Files[0].Sha256.Span), file.GetProperty("sha256").GetString());
        Assert.Equal(Convert.ToHexStringLower(backup.Files[0].StartKey.Span), file.GetProperty("start_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(backup.Files[0].EndKey.Span), file.GetProperty("end_key").GetString());
        Assert.Equal(backup.Files[0].Crc64Xor, file.GetProperty("crc64xor").GetUInt64());
        var schema = json.GetProperty("schemas")[0];
        Assert.Equal("shop", schema.GetProperty("db").GetProperty("db_name").GetProperty("O").GetString());
        Assert.Equal(101, schema.GetProperty("table").GetProperty("id").GetInt64());
        Assert.Equal("create table t (a int)", json.GetProperty("ddls")[0].GetProperty("query").GetString());
    }

    [Fact]
    public async Task One_field_prints_by_proto_name_dashed_alias_or_csharp_name()
    {
        using var backup = await DebugBackup.CreateAsync();
        var end = DebugBackup.BackupTs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(end, await MetaDebug.DecodeFieldAsync(backup.Storage, "end-version"));
        Assert.Equal(end, await MetaDebug.DecodeFieldAsync(backup.Storage, "EndVersion"));
        Assert.Equal("0", await MetaDebug.DecodeFieldAsync(backup.Storage, "start-version"));
        Assert.Equal("\"5.1.0\"", await MetaDebug.DecodeFieldAsync(backup.Storage, "cluster_version"));
        var files = JsonDocument.Parse(await MetaDebug.DecodeFieldAsync(backup.Storage, "files")).RootElement;
        Assert.Equal(3, files.GetArrayLength());

        var error = await Assert.ThrowsAsync<BrException>(() => MetaDebug.DecodeFieldAsync(backup.Storage, "end-versions"));
        Assert.Contains("no field 'end-versions'", error.Message, StringComparison.Ordinal);
        Assert.Contains("end_version", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Encode_turns_the_json_back_into_the_same_backupmeta_without_replacing_it(bool useV2)
    {
        using var backup = await DebugBackup.CreateAsync(useV2);
        var original = BackupMeta.Parser.ParseFrom(backup.MetaBytes);
        await MetaDebug.DecodeAsync(backup.Storage);

        Assert.Equal(BackupFiles.MetaFromJson, await MetaDebug.EncodeAsync(backup.Storage));
        Assert.Equal(original, BackupMeta.Parser.ParseFrom(System.IO.File.ReadAllBytes(Path.Combine(backup.Folder, BackupFiles.MetaFromJson))));
        Assert.Equal(original, BackupMeta.Parser.ParseFrom(backup.MetaBytes));

        System.IO.File.Delete(Path.Combine(backup.Folder, BackupFiles.Meta));
        Assert.Equal(BackupFiles.Meta, await MetaDebug.EncodeAsync(backup.Storage));
        var reader = await BackupMetaReader.OpenAsync(backup.Storage);
        Assert.Equal(original, reader.Meta);
        var files = new List<Cairn.Rpc.Backup.File>();
        await foreach (var file in reader.ReadFilesAsync())
        {
            files.Add(file);
        }
        Assert.Equal(backup.Files, files);
    }

    [Fact]
    public async Task Encode_names_what_is_wrong_with_the_json()
    {
        using var backup = await DebugBackup.CreateAsync();
        var missing = await Assert.ThrowsAsync<BrException>(() => MetaDebug.EncodeAsync(backup.Storage));
        Assert.Contains("no backupmeta.json", missing.Message, StringComparison.Ordinal);

        await MetaDebug.DecodeAsync(backup.Storage);
        var path = Path.Combine(backup.Folder, BackupFiles.MetaJson);
        var text = System.IO.File.ReadAllText(path);
        System.IO.File.WriteAllText(path, text.Replace("\"crc64xor\"", "\"crc64_xor\"", StringComparison.Ordinal));
        var unknown = await Assert.ThrowsAsync<BrException>(() => MetaDebug.EncodeAsync(backup.Storage));
        Assert.Contains("unknown field 'crc64_xor'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("BackupMeta.files[0]", unknown.Message, StringComparison.Ordinal);

        System.IO.File.WriteAllText(path, text.Replace("\"cluster_id\": 77", "\"cluster_id\": \"many\"", StringComparison.Ordinal));
        var badNumber = await Assert.ThrowsAsync<BrException>(() => MetaDebug.EncodeAsync(backup.Storage));
        Assert.Contains("cluster_id", badNumber.Message, StringComparison.Ordinal);

        System.IO.File.WriteAllText(path, text[..(text.Length / 2)]);
        var cut = await Assert.ThrowsAsync<BrException>(() => MetaDebug.EncodeAsync(backup.Storage));
        Assert.Contains("not valid JSON", cut.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Path.Combine(backup.Folder, BackupFiles.MetaFromJson)));
    }

    [Fact]
    public async Task A_v2_meta_file_decodes_with_the_same_json_form()
    {
        using var backup = await DebugBackup.CreateAsync(useV2: true);
        var json = Encoding.UTF8.GetString(BackupMetaJson.Format(MetaFile.Parser.ParseFrom(System.IO.File.ReadAllBytes(Path.Combine(backup.Folder, "backupmeta.schema.000000002")))));
        var schema = JsonDocument.Parse(json).RootElement.GetProperty("schemas")[1];
        Assert.Equal(112, schema.GetProperty("table").GetProperty("partition").GetProperty("definitions")[1].GetProperty("id").GetInt64());
        Assert.Equal(MetaFile.Parser.ParseFrom(System.IO.File.ReadAllBytes(Path.Combine(backup.Folder, "backupmeta.schema.000000002"))), BackupMetaJson.Parse<MetaFile>(Encoding.UTF8.GetBytes(json)));
    }
}
