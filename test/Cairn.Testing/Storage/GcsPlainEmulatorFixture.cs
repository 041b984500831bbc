namespace Cairn.Testing.Storage;

/// <summary>The GCS emulator as it is, without the launcher's chunked-upload layer: resumable sessions end with their first PUT.</summary>
public sealed class GcsPlainEmulatorFixture : GcsEmulatorFixture
{
    public GcsPlainEmulatorFixture()
        : base(chunkedUploads: "0")
    {
    }
}
