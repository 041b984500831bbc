using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// Event IDs come in one range per assembly (docs/conventions.md), so a log line's ID alone says which part wrote it.
/// This project references both executables and through them every library, so it can see all of them.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly (string Assembly, int First, int Last)[] Ranges =
    [
        ("Cairn.Pd", 1000, 1999),
        ("Cairn.Store", 2000, 2999),
        ("Cairn.Rpc", 3000, 3999),
        ("Cairn.Client", 4000, 4999),
        ("Cairn.Storage", 5000, 5999),
        ("Cairn.Hosting", 6000, 6499),
        ("cairn", 6500, 6999),
        ("Cairn.Br", 7000, 7499),
        ("br", 7500, 7999),
        ("Cairn.PdClient", 8000, 8999),
        ("Cairn.Workloads", 9000, 9999),
        ("Cairn.Common", 10000, 10999),
        ("Cairn.RocksDb", 11000, 11999),
    ];

    public static TheoryData<string> AssemblyNames()
    {
        var data = new TheoryData<string>();
        foreach (var range in Ranges)
        {
            data.Add(range.Assembly);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AssemblyNames))]
    public void Every_logger_message_has_an_id_in_its_assemblys_range_and_no_id_repeats(string assemblyName)
    {
        var (_, first, last) = Ranges.Single(r => r.Assembly == assemblyName);
        var assembly = Assembly.Load(assemblyName);
        var seen = new Dictionary<int, string>();
        foreach (var (method, id) in LoggerMessages(assembly))
        {
            Assert.True(id >= first && id <= last, $"{method} in {assemblyName} has event ID {id}, outside {first}–{last}");
            Assert.True(seen.TryAdd(id, method), $"{method} and {seen.GetValueOrDefault(id)} in {assemblyName} share event ID {id}");
        }
    }

    [Fact]
    public void The_ranges_do_not_overlap()
    {
        var sorted = Ranges.OrderBy(r => r.First).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            Assert.True(sorted[i].First > sorted[i - 1].Last, $"{sorted[i].Assembly} overlaps {sorted[i - 1].Assembly}");
        }
    }

    [Fact]
    public void The_store_and_pd_declare_logger_messages()
    {
        // Guards the reflection itself: if the attribute stopped being visible at run time, the theory would pass vacuously.
        Assert.NotEmpty(LoggerMessages(Assembly.Load("Cairn.Store")));
        Assert.NotEmpty(LoggerMessages(Assembly.Load("Cairn.Pd")));
    }

    private static List<(string Method, int Id)> LoggerMessages(Assembly assembly)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var found = new List<(string, int)>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(All))
            {
                if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                {
                    found.Add(($"{type.FullName}.{method.Name}", attribute.EventId));
                }
            }
        }

        return found;
    }
}
