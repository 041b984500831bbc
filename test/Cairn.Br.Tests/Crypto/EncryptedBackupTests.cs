using System.Security.Cryptography;
using System.Text;
using Cairn.Br.Crypto;
using Cairn.Br.Debug;
using Cairn.Br.Metadata;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Encryptionpb;
using Cairn.Storage;
using Cairn.Testing.Storage;
using Cairn.Workloads;

namespace Cairn.Br.Tests.Crypto;

/// <summary>
/// Encrypted backups end to end on a real cluster: round trips on local storage and on S3 (radosgw) checked row by
/// row, files on storage that are no SST and no protobuf without the key, refusals of a missing, wrong or unwanted
/// key before anything is created, tampering with backupmeta, backup.crypter and an SST detected, master-key mode,
/// and no key in any log line.
/// </summary>
[Collection(CloudStorageCollection.Name)]
public sealed class EncryptedBackupTests(EncryptionClusterFixture fixture, RadosGatewayFixture s3) : IClassFixture<EncryptionClusterFixture>
{
    private const int Rows = EncryptionClusterFixture.Rows;

    [Fact]
    public async Task A_key_encrypted_backup_on_local_storage_restores_and_its_files_are_opaque_without_the_key()
    {
        var name = await fixture.KeyBackupAsync();
        var folder = fixture.Folder.Sub(name);
        var files = await FilesAsync(folder, fixture.KeyEncryption);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.Equal(16, file.CipherIv.Length);
            var path = Path.Combine(folder, file.Name);
            var stored = await System.IO.File.ReadAllBytesAsync(path);
            Assert.Equal(SHA256.HashData(stored), file.Sha256.ToByteArray());
            await Assert.ThrowsAnyAsync<Exception>(() => SstDump.VerifyAsync(path));
        }

        // BR's layout: backupmeta is a 16-byte IV and the AES-CTR ciphertext of the protobuf.
        var meta = await System.IO.File.ReadAllBytesAsync(Path.Combine(folder, "backupmeta"));
        Assert.False(ParsesAsBackupMeta(meta));
        var plain = Common.Crypto.AesCtr.Transform(fixture.Key, meta.AsSpan(0, 16), meta.AsSpan(16));
        Assert.True(ParsesAsBackupMeta(plain));

        var summary = await RestoreJob.RunAsync(fixture.Restore(fixture.Local(name), "enc_local", fixture.KeyEncryption), loggerFactory: fixture.LoggerFactory);
        Assert.True(summary.Succeeded);
        Assert.Equal(1, summary.TablesRestored);
        Assert.Empty(await new SysbenchWorkload(fixture.Catalog) { Database = "enc_local", Tables = 1, Rows = Rows }.VerifyAsync());

        // The key is in no log line of br or of the stores, and in no meta object left in the folder.
        var hex = Convert.ToHexString(fixture.Key);
        foreach (var entry in fixture.Logs.Entries)
        {
            var text = entry.Message + entry.Exception;
            Assert.DoesNotContain(hex, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(fixture.Key), text, StringComparison.Ordinal);
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var bytes = await System.IO.File.ReadAllBytesAsync(path);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(fixture.Key));
            Assert.DoesNotContain(hex, Encoding.Latin1.GetString(bytes), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_backup_on_s3_with_encrypted_v2_meta_files_restores()
    {
        const string bucket = "br-crypter";
        await s3.EnsureBucketAsync(bucket);
        var url = $"s3://{bucket}/enc-s3?endpoint={Uri.EscapeDataString(s3.Endpoint.ToString().TrimEnd('/'))}&access-key={s3.AccessKey}&secret-access-key={Uri.EscapeDataString(s3.SecretKey)}&force-path-style=true";
        var crypter = new BackupEncryption { Method = EncryptionMethod.Aes128Ctr, Key = RandomNumberGenerator.GetBytes(16) };
        var backup = await BackupJob.RunAsync(fixture.Backup(url, crypter) with { UseBackupMetaV2 = true });
        Assert.True(backup.Succeeded);

        var summary = await RestoreJob.RunAsync(fixture.Restore(url, "enc_s3", crypter));
        Assert.True(summary.Succeeded);
        Assert.Equal((ulong)backup.TotalKvs, summary.TotalKvs);
        Assert.Empty(await new SysbenchWorkload(fixture.Catalog) { Database = "enc_s3", Tables = 1, Rows = Rows }.VerifyAsync());

        var refused = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(url, "enc_s3_nokey", null)));
        Assert.Contains("the backup is encrypted (aes128-ctr): pass --crypter.method aes128-ctr and --crypter.key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_wrong_and_unwanted_keys_are_refused_before_anything_is_created()
    {
        var name = await fixture.KeyBackupAsync();
        var storage = fixture.Local(name);
        // BR's own encrypted backups have no backup.crypter: without it a wrong key is found by decoding backupmeta.
        fixture.CopyFolder(name, "br-layout");
        System.IO.File.Delete(Path.Combine(fixture.Folder.Sub("br-layout"), CrypterFile.Name));
        var plain = await BackupJob.RunAsync(fixture.Backup(fixture.Local("plain"), null));
        Assert.True(plain.Succeeded);
        var before = await fixture.DatabasesAsync();
        var otherKey = new BackupEncryption { Method = EncryptionMethod.Aes256Ctr, Key = RandomNumberGenerator.GetBytes(32) };
        var master = new BackupEncryption { Method = EncryptionMethod.Aes256Ctr, MasterKey = new MasterKeySource { Command = "printf %064d 7" } };

        var cases = new (string Storage, BackupEncryption? Crypter, string Message)[]
        {
            (storage, null, "the backup is encrypted (aes256-ctr): pass --crypter.method aes256-ctr and --crypter.key"),
            (storage, otherKey, "the backup is encrypted (aes256-ctr): the key given does not decrypt it"),
            (storage, fixture.KeyEncryption with { Method = EncryptionMethod.Aes128Ctr, Key = fixture.Key[..16] }, "the backup is encrypted with aes256-ctr, not aes128-ctr"),
            (storage, master, "with a key, not a master key"),
            (fixture.Local("br-layout"), otherKey, "the backup is encrypted (aes256-ctr): the key given does not decrypt it"),
            (fixture.Local("br-layout"), null, "if the backup is encrypted, pass --crypter.method and --crypter.key"),
            (fixture.Local("plain"), fixture.KeyEncryption, "is not encrypted: restore it without --crypter.method and --crypter.key"),
            (fixture.Local("plain"), master, "was not taken with a master key"),
        };
        foreach (var (at, crypter, message) in cases)
        {
            var e = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(at, "enc_refused", crypter)));
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await fixture.DatabasesAsync());

        // With the right key the BR-layout copy (no authentication) still restores.
        var summary = await RestoreJob.RunAsync(fixture.Restore(fixture.Local("br-layout"), "enc_br_layout", fixture.KeyEncryption));
        Assert.True(summary.Succeeded);
        Assert.Empty(await new SysbenchWorkload(fixture.Catalog) { Database = "enc_br_layout", Tables = 1, Rows = Rows }.VerifyAsync());
    }

    [Fact]
    public async Task A_flipped_byte_in_backupmeta_or_backup_crypter_is_detected_before_anything_is_created()
    {
        var name = await fixture.KeyBackupAsync();
        var before = await fixture.DatabasesAsync();
        foreach (var (copy, file) in new[] { ("flip-meta", "backupmeta"), ("flip-crypter", CrypterFile.Name) })
        {
            var folder = fixture.CopyFolder(name, copy);
            var path = Path.Combine(folder, file);
            var bytes = await System.IO.File.ReadAllBytesAsync(path);
            // In backup.crypter a base64 digit of the MAC changes; in backupmeta one bit of the ciphertext.
            var at = file == "backupmeta" ? bytes.Length / 2 : Encoding.ASCII.GetString(bytes).IndexOf("\"mac\": \"", StringComparison.Ordinal) + 9;
            bytes[at] = file == "backupmeta" ? (byte)(bytes[at] ^ 0x01) : (byte)(bytes[at] == (byte)'A' ? 'B' : 'A');
            await System.IO.File.WriteAllBytesAsync(path, bytes);

            var e = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(fixture.Local(copy), "enc_flipped", fixture.KeyEncryption)));
            Assert.Contains($"{file} in ", e.Message, StringComparison.Ordinal);
            Assert.Contains("was modified after backup: authentication failed", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await fixture.DatabasesAsync());
    }

    [Fact]
    public async Task A_flipped_byte_in_an_encrypted_sst_fails_the_restore()
    {
        var name = await fixture.KeyBackupAsync();
        var folder = fixture.CopyFolder(name, "flip-sst");
        var largest = Directory.EnumerateFiles(folder, "*.sst", SearchOption.AllDirectories).MaxBy(f => new FileInfo(f).Length)!;
        var bytes = await System.IO.File.ReadAllBytesAsync(largest);
        bytes[bytes.Length / 3] ^= 0x20;
        await System.IO.File.WriteAllBytesAsync(largest, bytes);

        var e = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(fixture.Local("flip-sst"), "enc_flip_sst", fixture.KeyEncryption)));
        Assert.Contains("is not a readable SST", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(largest), e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.RestoreSummary);
        Assert.False(e.RestoreSummary!.Succeeded);
    }

    [Fact]
    public async Task Master_key_mode_wraps_a_random_data_key_and_round_trips()
    {
        var keyFile = Path.Combine(fixture.Folder.Path, "master.key");
        var masterKey = RandomNumberGenerator.GetBytes(32);
        await System.IO.File.WriteAllTextAsync(keyFile, Convert.ToHexString(masterKey) + "\n");
        var backup = await BackupJob.RunAsync(fixture.Backup(fixture.Local("master"), new BackupEncryption
        {
            Method = EncryptionMethod.Aes256Ctr, MasterKey = new MasterKeySource { FilePath = keyFile },
        }), loggerFactory: fixture.LoggerFactory);
        Assert.True(backup.Succeeded);
        var side = await System.IO.File.ReadAllTextAsync(Path.Combine(fixture.Folder.Sub("master"), CrypterFile.Name));
        Assert.Contains("\"key_mode\": \"master-key\"", side, StringComparison.Ordinal);
        Assert.Contains("\"wrapped_data_key\"", side, StringComparison.Ordinal);

        // Restore needs only the master key, here printed by a command as a KMS would.
        var summary = await RestoreJob.RunAsync(fixture.Restore(fixture.Local("master"), "enc_master", new BackupEncryption
        {
            Method = EncryptionMethod.Plaintext, MasterKey = new MasterKeySource { Command = $"cat '{keyFile}'" },
        }), loggerFactory: fixture.LoggerFactory);
        Assert.True(summary.Succeeded);
        Assert.Empty(await new SysbenchWorkload(fixture.Catalog) { Database = "enc_master", Tables = 1, Rows = Rows }.VerifyAsync());

        var wrong = new BackupEncryption { Method = EncryptionMethod.Aes256Ctr, MasterKey = new MasterKeySource { Command = "printf %064d 1" } };
        var e = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(fixture.Local("master"), "enc_master_wrong", wrong)));
        Assert.Contains("the master key given does not unwrap its data key", e.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore(fixture.Local("master"), "enc_master_none", fixture.KeyEncryption)));
        Assert.Contains("under a master key: pass --master-key", none.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Logs.Entries, entry => (entry.Message + entry.Exception).Contains(Convert.ToHexString(masterKey), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_debug_checks_read_an_encrypted_backup_with_its_key()
    {
        var name = await fixture.KeyBackupAsync();
        var storage = await ExternalStorage.OpenAsync(fixture.Local(name));
        await using (storage.ConfigureAwait(false))
        {
            var checksum = await BackupChecksum.RunAsync(storage, 4, fixture.KeyEncryption);
            Assert.True(checksum.IsOk, string.Join("; ", checksum.Problems.Select(p => p.Detail)));
            Assert.True(checksum.FilesChecked > 0);
            Assert.True((await BackupValidator.ValidateAsync(storage, 0, fixture.KeyEncryption)).IsOk);
            Assert.Contains("end_version", await System.IO.File.ReadAllTextAsync(Path.Combine(fixture.Folder.Sub(name), await MetaDebug.DecodeAsync(storage, fixture.KeyEncryption))), StringComparison.Ordinal);
            var e = await Assert.ThrowsAsync<BrException>(() => BackupChecksum.RunAsync(storage, 4, null));
            Assert.Contains("pass --crypter.method aes256-ctr", e.Message, StringComparison.Ordinal);
        }
    }

    private static async Task<List<Rpc.Backup.File>> FilesAsync(string folder, BackupEncryption crypter)
    {
        var storage = await ExternalStorage.OpenAsync("local://" + folder);
        await using (storage.ConfigureAwait(false))
        {
            var reader = await BackupMetaReader.OpenAsync(storage, crypter);
            var files = new List<Rpc.Backup.File>();
            await foreach (var file in reader.ReadFilesAsync())
            {
                files.Add(file);
            }

            return files;
        }
    }

    private static bool ParsesAsBackupMeta(byte[] bytes)
    {
        try
        {
            return BackupMeta.Parser.ParseFrom(bytes).BrVersion.Length > 0;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
