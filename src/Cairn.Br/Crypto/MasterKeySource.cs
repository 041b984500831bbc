using System.Diagnostics;
using System.Text;

namespace Cairn.Br.Crypto;

/// <summary>
/// Where a master key is read: a file (<c>--master-key local:///path</c>) or the standard output of a shell command
/// (<c>--master-key-command</c>, a stand-in for a KMS). Either holds a 32-byte key as 64 hex digits or as 32 raw
/// bytes; surrounding white space of the hex form is ignored.
/// </summary>
public sealed record MasterKeySource
{
    /// <summary>Bytes of a master key (AES-256-GCM).</summary>
    public const int KeyLength = 32;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The key file, or null.</summary>
    public string? FilePath { get; init; }

    /// <summary>The command (run with <c>/bin/sh -c</c>), or null.</summary>
    public string? Command { get; init; }

    /// <summary>Reads the key; a <see cref="BrException"/> says what was wrong.</summary>
    public async Task<byte[]> LoadAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (FilePath is { } path)
        {
            try
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BrException("ErrInvalidArgument", $"--master-key: cannot read the master key file {path}: {e.Message}", e);
            }
        }
        else
        {
            bytes = await RunAsync(Command ?? "", cancellationToken).ConfigureAwait(false);
        }

        return Parse(bytes) ?? throw new BrException("ErrInvalidArgument",
            $"{this}: the master key must be {KeyLength} bytes, as {KeyLength * 2} hex digits or {KeyLength} raw bytes (got {bytes.Length} bytes that are neither)");
    }

    /// <inheritdoc/>
    public override string ToString() => FilePath is { } path ? $"--master-key local://{path}" : "--master-key-command";

    private static byte[]? Parse(byte[] bytes)
    {
        var text = Encoding.ASCII.GetString(bytes).Trim();
        if (text.Length == KeyLength * 2)
        {
            try
            {
                return Convert.FromHexString(text);
            }
            catch (FormatException)
            {
            }
        }

        return bytes.Length == KeyLength ? bytes : null;
    }

    private static async Task<byte[]> RunAsync(string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new BrException("ErrInvalidArgument", "--master-key-command: /bin/sh could not be started");
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            using var output = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await copy.ConfigureAwait(false);
            var stderr = await error.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                // The command's own message says why; its output (possibly a key) is not repeated.
                var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
                throw new BrException("ErrInvalidArgument", $"--master-key-command exited with code {process.ExitCode}: {first}");
            }

            return output.ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new BrException("ErrInvalidArgument", $"--master-key-command printed no key within {CommandTimeout.TotalSeconds:0} s");
        }
    }
}
