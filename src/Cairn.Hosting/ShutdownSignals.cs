using System.Runtime.InteropServices;

namespace Cairn.Hosting;

/// <summary>
/// Turns SIGINT and SIGTERM (and, when <see cref="ParentWatch"/> is on, the end of the parent) into one
/// cancellation, so a server or a long backup stops through its own shutdown path instead of being torn down by the
/// runtime's default action. Dispose to restore the default handling.
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;
    private readonly Action? _onRepeat;
    private int _signals;
    private int _disposed;

    /// <summary>Starts listening; <see cref="Token"/> is also cancelled when <paramref name="cancellationToken"/> is.</summary>
    /// <param name="cancellationToken">An outer token that stops the command as well.</param>
    /// <param name="watchParent">Whether the end of standard input stops it too (see <see cref="ParentWatch"/>).</param>
    /// <param name="onRepeat">
    /// Called at the second and every later signal, while the first one's stop is still under way: a tool that
    /// promises "a second Ctrl-C exits at once" exits there. Without it, later signals are ignored.
    /// </param>
    public ShutdownSignals(CancellationToken cancellationToken = default, bool watchParent = true, Action? onRepeat = null)
    {
        _onRepeat = onRepeat;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        if (watchParent)
        {
            ParentWatch.Start(Stop);
        }
    }

    /// <summary>Cancelled at the first signal (or when the parent goes, or the outer token is cancelled).</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether a stop was asked for.</summary>
    public bool IsStopping => _stop.IsCancellationRequested;

    /// <summary>Asks for a stop as a signal would.</summary>
    public void Stop()
    {
        // The parent watch runs on its own thread and may fire after the command finished and disposed us.
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Cancelling the default action keeps the process alive until the command has closed what it holds.
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1 && _onRepeat is not null)
        {
            _onRepeat();
            return;
        }

        Stop();
    }
}
