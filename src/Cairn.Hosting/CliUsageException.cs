namespace Cairn.Hosting;

/// <summary>
/// Bad usage found by a command's own checks (a value out of range, a malformed address): <see cref="CliRunner"/>
/// prints its message as one line with a pointer to <c>--help</c> and exits with <see cref="CliRunner.BadUsage"/>.
/// </summary>
public sealed class CliUsageException(string message) : Exception(message);
