namespace Cairn.Testing.Storage;

/// <summary>
/// The GCS emulator with the launcher's chunked-upload layer in its "partial" setting: of every intermediate chunk
/// of 512 KiB or more only the first half (rounded down to 256 KiB) is kept, and the 308 says so, as GCS may do.
/// </summary>
public sealed class GcsPartialChunkEmulatorFixture : GcsEmulatorFixture
{
    public GcsPartialChunkEmulatorFixture()
        : base(chunkedUploads: "partial")
    {
    }
}
