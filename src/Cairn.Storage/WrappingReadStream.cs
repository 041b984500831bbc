namespace Cairn.Storage;

/// <summary>A <see cref="ReadOnlyStream"/> over another stream, which it owns and disposes.</summary>
internal abstract class WrappingReadStream(Stream inner) : ReadOnlyStream
{
    protected Stream Inner { get; } = inner;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => Inner.DisposeAsync();
}
