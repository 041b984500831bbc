namespace Cairn.Storage.Gcs;

/// <summary>How <see cref="GcsStorage"/> uploads objects larger than one chunk.</summary>
public enum GcsUploadMode
{
    /// <summary>
    /// <see cref="SingleRequest"/> when a custom endpoint is used without credentials (an emulator), otherwise
    /// <see cref="Chunked"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// A resumable upload session fed in chunks of <see cref="GcsOptions.ChunkSize"/> bytes, each its own PUT; a chunk
    /// that fails is resumed from the last byte the service confirmed. What real GCS expects for large objects.
    /// </summary>
    Chunked,

    /// <summary>
    /// A resumable upload session fed by one PUT whose body streams (chunked transfer encoding) as the writer
    /// receives bytes. For servers that finalize the object on the first PUT, such as the firebase-tools emulator.
    /// A failure cannot be resumed: the whole upload fails.
    /// </summary>
    SingleRequest,
}
