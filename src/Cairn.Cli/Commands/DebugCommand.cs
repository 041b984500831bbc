using System.CommandLine;
using System.Globalization;
using Cairn.Br;
using Cairn.Br.Debug;
using Cairn.Cli.Flags;
using Cairn.Hosting;
using Cairn.Storage;

namespace Cairn.Cli.Commands;

/// <summary>
/// <c>br debug checksum|decode|encode|backupmeta validate</c> (and the same tree as <c>br validate</c>): offline checks
/// of a backup in storage. They need no cluster; the library side is <see cref="BackupChecksum"/>,
/// <see cref="MetaDebug"/> and <see cref="BackupValidator"/>. A backup found wrong exits 1 after listing what is wrong.
/// </summary>
internal static class DebugCommand
{
    private const int FileConcurrency = 8;

    /// <summary>Creates the tree under <paramref name="name"/> (<c>debug</c>, or <c>validate</c> for BR's alias).</summary>
    public static Command Create(string name, GlobalFlags global)
    {
        var debug = new Command(name, "Offline checks of a backup in storage: re-hash its files, decode or encode backupmeta, validate its ranges.");
        var crypter = new CrypterFlags();
        crypter.AddTo(debug);

        var checksum = new Command("checksum", "Re-hash every file of the backup, compare with backupmeta, and add up each table's checksum from its files.");
        checksum.SetAction((parse, ct) => RunAsync(parse, global, (storage, c) => ChecksumAsync(storage, crypter.Read(parse), c), ct));
        debug.Subcommands.Add(checksum);

        var field = new Option<string?>("--field") { Description = "print this field of backupmeta (for example end-version, cluster_id) instead of writing backupmeta.json" };
        var decode = new Command("decode", "Write backupmeta.json (the JSON form of backupmeta) beside backupmeta, or print one field with --field.");
        decode.Options.Add(field);
        decode.SetAction((parse, ct) => RunAsync(parse, global, (storage, c) => DecodeAsync(storage, parse.GetValue(field), crypter.Read(parse), c), ct));
        debug.Subcommands.Add(decode);

        var encode = new Command("encode", "Write backupmeta from backupmeta.json (to backupmeta_from_json when backupmeta exists; it is never replaced).");
        encode.SetAction((parse, ct) => RunAsync(parse, global, async (storage, c) =>
        {
            var written = await MetaDebug.EncodeAsync(storage, c).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"wrote {written} in {storage.Uri}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        debug.Subcommands.Add(encode);

        var offset = new Option<string?>("--offset") { Description = "the simulated restore gives new table IDs from this one up (default 0)" };
        var validate = new Command("validate", "Check that no two files overlap and that a restore's rewrite rules cover every file.");
        validate.Options.Add(offset);
        validate.SetAction((parse, ct) => RunAsync(parse, global, (storage, c) => ValidateAsync(storage, Offset(parse.GetValue(offset)), crypter.Read(parse), c), ct));
        var backupmeta = new Command("backupmeta", "Checks of backupmeta itself.");
        backupmeta.Subcommands.Add(validate);
        debug.Subcommands.Add(backupmeta);
        return debug;
    }

    private static async Task<int> RunAsync(ParseResult parse, GlobalFlags global, Func<IExternalStorage, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        global.CheckSupported(parse);
        var (url, options) = global.StorageTarget(parse, "the backup to check");
        var parsed = StorageFlags.ParseUrl(url, options);
        if (parsed.Kind == StorageKind.Local && !Directory.Exists(parsed.LocalPath))
        {
            throw new CliFailureException($"{parsed.LocalPath} does not exist: --storage must name the folder of a backup");
        }

        try
        {
            var storage = await ExternalStorage.OpenAsync(parsed, options, cancellationToken).ConfigureAwait(false);
            return await body(storage, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrException or StorageException)
        {
            throw new CliFailureException(Redact.Secrets(e.Message, global.StorageSettings.Secrets(parse)), e);
        }
    }

    private static async Task<int> ChecksumAsync(IExternalStorage storage, Br.Crypto.BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        var report = await BackupChecksum.RunAsync(storage, FileConcurrency, encryption, cancellationToken).ConfigureAwait(false);
        var output = Console.Out;
        foreach (var table in report.Tables)
        {
            var name = table.Database is null ? $"(table ID {table.TableId}, not in the schema)" : $"{table.Database}.{table.Table}";
            var files = table.FromFiles;
            var verdict = table.FromSchema is not { } schema ? "no checksum recorded"
                : table.Matches ? "ok"
                : string.Create(CultureInfo.InvariantCulture, $"MISMATCH: schema has crc64xor {schema.Crc64Xor}, kvs {schema.TotalKvs}, bytes {schema.TotalBytes}");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {table.Files} files, crc64xor {files.Crc64Xor}, kvs {files.TotalKvs}, bytes {files.TotalBytes}: {verdict}")).ConfigureAwait(false);
        }

        foreach (var problem in report.Problems)
        {
            await output.WriteLineAsync("bad file: " + problem.Detail).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{report.FilesChecked} files, {report.BytesChecked} bytes re-hashed")).ConfigureAwait(false);
        if (report.IsOk)
        {
            await output.WriteLineAsync("checksum: ok").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var mismatched = report.Tables.Count(t => !t.Matches);
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"br debug checksum: the backup is damaged: {report.Problems.Count} bad files, {mismatched} tables whose files disagree with the schema; take a new backup")).ConfigureAwait(false);
        return ExitCodes.Failed;
    }

    private static async Task<int> DecodeAsync(IExternalStorage storage, string? field, Br.Crypto.BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(field))
        {
            await Console.Out.WriteLineAsync(await MetaDebug.DecodeFieldAsync(storage, field, encryption, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var written = await MetaDebug.DecodeAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"wrote {written} in {storage.Uri}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> ValidateAsync(IExternalStorage storage, long offset, Br.Crypto.BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        var report = await BackupValidator.ValidateAsync(storage, offset, encryption, cancellationToken).ConfigureAwait(false);
        var output = Console.Out;
        foreach (var overlap in report.Overlaps)
        {
            await output.WriteLineAsync($"overlap: {overlap.First.Name} [{Hex(overlap.First.StartKey)}, {Hex(overlap.First.EndKey)}) and {overlap.Second.Name} [{Hex(overlap.Second.StartKey)}, {Hex(overlap.Second.EndKey)})").ConfigureAwait(false);
        }

        foreach (var issue in report.Issues)
        {
            await output.WriteLineAsync("issue: " + issue.Detail).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{report.Files} files, {report.Ranges} ranges, {report.Rules.Count} rewrite rules from table ID {offset + 1}")).ConfigureAwait(false);
        if (report.IsOk)
        {
            await output.WriteLineAsync("backupmeta: valid").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"br debug backupmeta validate: backupmeta is not valid: {report.Overlaps.Count} overlapping file pairs, {report.Issues.Count} files a restore could not rewrite")).ConfigureAwait(false);
        return ExitCodes.Failed;
    }

    private static string Hex(Google.Protobuf.ByteString key) => Convert.ToHexStringLower(key.Span);

    internal static long Offset(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"--offset: '{text}' is not a table ID (a whole number, 0 or more)");
        }

        return value;
    }
}
