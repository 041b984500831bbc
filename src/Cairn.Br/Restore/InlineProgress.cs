namespace Cairn.Br.Restore;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread.</summary>
internal sealed class InlineProgress(Action<int> report) : IProgress<int>
{
    /// <inheritdoc />
    public void Report(int value) => report(value);
}
