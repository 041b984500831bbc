namespace Cairn.Storage.Tests;

/// <summary>
/// The GCS emulator with the launcher's chunked-upload layer (GCS_CHUNKED_UPLOADS=1, see scripts/emulators/gcs-emulator.js):
/// PUTs of intermediate chunks are answered 308 with the stored range, as GCS documents, so the chunked protocol
/// that real GCS needs can run end to end. The layer is ours, written from the protocol description; it is a
/// stand-in for GCS's behaviour, not GCS itself.
/// </summary>
public sealed class GcsChunkedEmulatorFixture : GcsEmulatorFixture
{
    public GcsChunkedEmulatorFixture()
        : base(chunkedUploads: "1")
    {
    }
}
