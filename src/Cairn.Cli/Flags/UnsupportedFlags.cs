using System.CommandLine;
using Cairn.Hosting;

namespace Cairn.Cli.Flags;

/// <summary>
/// Flags TiDB BR accepts (many hidden or deprecated there) that mean nothing for this br, or not yet. They are parsed,
/// so a script written for BR gets a message saying why the flag is refused instead of "unrecognized option", and never
/// silently ignored.
/// </summary>
internal sealed class UnsupportedFlags
{
    private static readonly (string Name, string Reason)[] Known =
    [
        ("--redact-info-log", "key and value redaction in logs is not supported yet"),
        ("--redact-log", "key and value redaction in logs is not supported yet"),
        ("--slow-log-file", "there is no slow log"),
        ("--remove-tiflash", "it is deprecated and had no effect in BR either; stores labelled engine=tiflash are always skipped"),
        ("--checksum-concurrency", "the checksum's concurrency is not configurable yet"),
        ("--ratelimit-unit", "--ratelimit is always MiB/s"),
        ("--switch-mode-interval", "it applies to br restore only (how often the stores are told to stay in import mode)"),
        ("--grpc-keepalive-time", "gRPC keepalive is not configurable yet"),
        ("--grpc-keepalive-timeout", "gRPC keepalive is not configurable yet"),
        ("--enable-opentracing", "tracing is not supported"),
        ("--no-credentials", "give no credentials (or a GCS endpoint without them) instead"),
        ("--remove-schedulers", "pd's schedulers are not paused for a backup yet"),
        ("--ignore-stats", "table statistics are never backed up yet"),
    ];

    private readonly Option<string?>[] _options = [.. Known.Select(k => new Option<string?>(k.Name)
    {
        Hidden = true,
        Recursive = true,
        Arity = ArgumentArity.ZeroOrOne,
    })];

    public void AddTo(Command command)
    {
        foreach (var option in _options)
        {
            command.Options.Add(option);
        }
    }

    public void Check(ParseResult parse)
    {
        for (var i = 0; i < _options.Length; i++)
        {
            if (parse.GetResult(_options[i]) is not null)
            {
                throw new CliUsageException($"{Known[i].Name} is not supported by this br: {Known[i].Reason}");
            }
        }
    }
}
