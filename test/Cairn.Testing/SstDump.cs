using System.Globalization;

namespace Cairn.Testing;

/// <summary>
/// RocksDB's own <c>sst_dump</c> (rocksdb-tools, installed by scripts/setup.sh) on an SST file: verifies its block
/// checksums and lists its entries, so tests read backup and import files with a reader that shares none of our code.
/// </summary>
public static class SstDump
{
    /// <summary>Where Debian installs the tool.</summary>
    public const string Path = "/usr/bin/sst_dump";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>Fails unless <c>sst_dump --command=verify</c> says the file is ok.</summary>
    public static async Task VerifyAsync(string file)
    {
        var result = await RunAsync(file, "--command=verify").ConfigureAwait(false);
        if (!result.StandardOutput.Contains("The file is ok", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"sst_dump does not call {file} ok: {result.StandardOutput}{result.StandardError}");
        }
    }

    /// <summary>Every entry of the file in order, from <c>sst_dump --command=scan --output_hex</c>.</summary>
    public static async Task<List<(byte[] Key, byte[] Value)>> ScanAsync(string file)
    {
        var result = await RunAsync(file, "--command=scan", "--output_hex").ConfigureAwait(false);
        var entries = new List<(byte[], byte[])>();
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            // '7A61...' seq:0, type:1 => 5001...
            if (!line.StartsWith('\'') || line.IndexOf("' seq:", StringComparison.Ordinal) is var keyEnd && keyEnd < 0)
            {
                continue;
            }

            var arrow = line.IndexOf(" => ", StringComparison.Ordinal);
            var key = Convert.FromHexString(line.AsSpan(1, keyEnd - 1));
            var value = arrow < 0 ? [] : Convert.FromHexString(line.AsSpan(arrow + 4).Trim());
            entries.Add((key, value));
        }

        return entries;
    }

    /// <summary>
    /// The user-collected properties of the file whose names start with <paramref name="prefix"/>, from
    /// <c>sst_dump --show_properties</c>, which prints them raw as <c># name: 0xHEX</c> lines; the values are
    /// returned as the UTF-8 text of those bytes.
    /// </summary>
    public static async Task<Dictionary<string, string>> UserPropertiesAsync(string file, string prefix)
    {
        var result = await RunAsync(file, "--show_properties").ConfigureAwait(false);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in result.StandardOutput.Split('\n'))
        {
            var line = raw.Trim().TrimStart('#').Trim();
            var separator = line.IndexOf(": ", StringComparison.Ordinal);
            if (!line.StartsWith(prefix, StringComparison.Ordinal) || separator < 0)
            {
                continue;
            }

            var value = line[(separator + 2)..].Trim();
            properties[line[..separator]] = value.StartsWith("0x", StringComparison.Ordinal)
                ? System.Text.Encoding.UTF8.GetString(Convert.FromHexString(value.AsSpan(2)))
                : value;
        }

        return properties;
    }

    private static async Task<ProcessResult> RunAsync(string file, params string[] args)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install rocksdb-tools (scripts/setup.sh does)");
        }

        var result = await ProcessRunner.RunAsync(Path, [string.Create(CultureInfo.InvariantCulture, $"--file={file}"), .. args], Timeout).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"sst_dump {string.Join(' ', args)} {file} exited with {result.ExitCode}: {result.StandardError}");
        }

        return result;
    }
}
