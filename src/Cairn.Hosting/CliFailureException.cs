namespace Cairn.Hosting;

/// <summary>
/// An operation that failed in a way the message fully explains (a folder that cannot be created, a refused
/// request): <see cref="CliRunner"/> prints it as one line and exits with <see cref="CliRunner.Failed"/>.
/// </summary>
public sealed class CliFailureException(string message, Exception? inner = null) : Exception(message, inner);
