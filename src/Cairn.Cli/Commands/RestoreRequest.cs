using Cairn.Br;
using Cairn.Cli.Flags;

namespace Cairn.Cli.Commands;

/// <summary>
/// What <c>br restore full|db|table|raw</c>'s flags asked for, every value checked: the engine's options, and the
/// import-mode switch interval, which is read and checked but not passed (the engine keeps the stores in import mode
/// on its own schedule).
/// </summary>
internal sealed record RestoreRequest(RestoreOptions Options, TimeSpan SwitchModeInterval)
{
    /// <summary>BR's default restore concurrency (download/ingest requests at once).</summary>
    public const int DefaultConcurrency = 128;

    /// <summary>The interval when <c>--switch-mode-interval</c> is not given.</summary>
    public static TimeSpan DefaultSwitchModeInterval => RestoreFlags.DefaultSwitchModeInterval;
}
