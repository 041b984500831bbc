using Cairn.Br.Metadata;
using Cairn.Storage;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Debug;

/// <summary>What the debug checks read first: the meta, every data file and every table it names.</summary>
internal sealed record LoadedBackup(BackupMetaReader Reader, List<BackupFile> Files, List<BackupTable> Tables)
{
    public static async Task<LoadedBackup> LoadAsync(IExternalStorage storage, Crypto.BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        var reader = await BackupMetaReader.OpenAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        var files = new List<BackupFile>();
        await foreach (var file in reader.ReadFilesAsync(cancellationToken).ConfigureAwait(false))
        {
            files.Add(file);
        }
        var tables = new List<BackupTable>();
        await foreach (var schema in reader.ReadSchemasAsync(cancellationToken).ConfigureAwait(false))
        {
            if (BackupTable.From(schema) is { } table)
            {
                tables.Add(table);
            }
        }
        return new LoadedBackup(reader, files, tables);
    }
}
