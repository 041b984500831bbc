namespace Cairn.Hosting;

/// <summary>The exit codes every Cairn executable uses, as the README promises them to scripts.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command was understood but failed (refused request, unreachable cluster, cancelled).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: a parse error or a value the command's checks refused.</summary>
    public const int BadUsage = 2;
}
