namespace Cairn.Storage;

/// <summary>Which backend a storage URL selects.</summary>
public enum StorageKind
{
    /// <summary>A local folder: a plain path, <c>local://</c> or <c>file://</c>.</summary>
    Local,
    /// <summary><c>noop://</c>: discards writes.</summary>
    Noop,
    /// <summary><c>s3://bucket/prefix</c>.</summary>
    S3,
    /// <summary><c>azure://container/prefix</c> or <c>azblob://…</c>.</summary>
    AzureBlob,
    /// <summary><c>gcs://bucket/prefix</c> or <c>gs://…</c>.</summary>
    Gcs,
    /// <summary>br's local backup server for one job (a <c>cloud_dynamic</c> backend a store receives; no URL names it).</summary>
    Served,
}
