using Cairn.Br;
using Cairn.Cli.Flags;

namespace Cairn.Cli.Commands;

/// <summary>
/// What <c>br restore full|db|table|raw</c>'s flags asked for, every value checked: the engine's options.
/// </summary>
internal sealed record RestoreRequest(RestoreOptions Options)
{
    /// <summary>How often the stores are told again to stay in import mode (<c>--switch-mode-interval</c>).</summary>
    public TimeSpan SwitchModeInterval => Options.SwitchModeInterval;

    /// <summary>BR's default restore concurrency (download/ingest requests at once).</summary>
    public const int DefaultConcurrency = 128;

    /// <summary>The interval when <c>--switch-mode-interval</c> is not given.</summary>
    public static TimeSpan DefaultSwitchModeInterval => RestoreFlags.DefaultSwitchModeInterval;
}
