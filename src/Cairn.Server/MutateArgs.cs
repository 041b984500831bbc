using System.Diagnostics;
using System.Globalization;
using Cairn.Hosting;
using Cairn.Workloads;

namespace Cairn.Server;

/// <summary><c>cairn workload sysbench --mutate PERCENT</c>: the checked share and the run that prints what changed.</summary>
internal static class MutateArgs
{
    /// <summary>The share in percent, or null when <c>--mutate</c> is not given; throws <see cref="CliUsageException"/> when it is not in (0, 100].</summary>
    public static double? Percent(string? text, bool verifyOnly)
    {
        if (text is null)
        {
            return null;
        }

        if (verifyOnly)
        {
            throw new CliUsageException("--mutate changes the data set and --verify-only only checks it: give one of them");
        }

        var value = text.Trim().TrimEnd('%');
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
        {
            throw new CliUsageException($"--mutate: '{text}' is not a share of rows in percent above 0 and at most 100 (e.g. 1 or 0.5)");
        }

        return percent;
    }

    /// <summary>Mutates and prints one line per table and the time taken.</summary>
    public static async Task RunAsync(SysbenchMutation mutation, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var results = await mutation.RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            await Console.Out.WriteLineAsync("mutated " + result).ConfigureAwait(false);
        }

        var changed = results.Sum(r => r.Updated + r.Deleted + r.Inserted);
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"mutated {changed} rows ({results.Sum(r => r.Updated)} updated, {results.Sum(r => r.Deleted)} deleted, {results.Sum(r => r.Inserted)} inserted) in {watch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
    }
}
