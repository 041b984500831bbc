using System.CommandLine;
using System.Globalization;
using Cairn.Br;
using Cairn.Hosting;
using Cairn.Workloads.Bulk;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// <c>cairn workload … --bulk</c>: runs a workload's bulk load (staging folder in the system temp folder, which the
/// stores on this machine read as <c>local://</c> storage), prints what it did, and turns its failures into one line.
/// </summary>
internal static class BulkLoadRun
{
    /// <summary>The <c>--bulk</c> option.</summary>
    public static Option<bool> Option() => new("--bulk") { Description = "Load through sorted SST files and the stores' import service instead of transactions." };

    /// <summary>Runs <paramref name="load"/> with warnings logged to stderr and prints one summary line.</summary>
    public static async Task RunAsync(Func<BulkLoadOptions, Task<BulkLoadResult>> load)
    {
        using var loggerFactory = HostLogging.ToStandardError(LogLevel.Warning);
        BulkLoadResult result;
        try
        {
            result = await load(new BulkLoadOptions { Logger = loggerFactory.CreateLogger("bulk-load") }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BulkLoadException or BrException)
        {
            throw new CliFailureException(e.Message, e);
        }

        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-3);
        var mib = result.Bytes / (1024.0 * 1024.0);
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"bulk loaded {result.Rows} rows ({result.Kvs} kvs, {mib:F1} MiB) in {seconds:F1} s: {result.Rows / seconds:F0} rows/s, {mib / seconds:F1} MiB/s; {result.Files} SST files of {result.FileBytes / (1024.0 * 1024.0):F1} MiB into {result.Ranges} ranges (encode {result.Encode.TotalSeconds:F1} s, import {result.Import.TotalSeconds:F1} s)"))
            .ConfigureAwait(false);
    }
}
