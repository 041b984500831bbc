using System.CommandLine;
using Cairn.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Flags;

/// <summary>
/// BR's root flags (br-spec §a, "Global flags") that apply to every command, declared once on the root command and
/// inherited by the subcommands.
/// </summary>
internal sealed class GlobalFlags
{
    /// <summary>BR's default pd address.</summary>
    public const string DefaultPd = "127.0.0.1:2379";

    public Option<string> Pd { get; } = new("--pd", "-u")
    {
        Description = "pd address(es), host:port or http://host:port, several separated by commas",
        DefaultValueFactory = _ => DefaultPd,
        Recursive = true,
    };

    public Option<string?> Storage { get; } = new("--storage", "-s")
    {
        Description = "where the backup goes: a folder, local:///path, s3://bucket/prefix, azure://container/prefix, gcs://bucket/prefix or noop://",
        Recursive = true,
    };

    public StorageFlags StorageSettings { get; } = new(recursive: true);

    public Option<bool> SendCredentials { get; } = new("--send-credentials-to-tikv", "-c")
    {
        Description = "put the storage credentials into the requests sent to the stores (otherwise they use their own environment)",
        DefaultValueFactory = _ => true,
        Recursive = true,
    };

    public Option<string?> RateLimit { get; } = new("--ratelimit")
    {
        Description = "upload rate limit per store, MiB/s (0: unlimited)",
        Recursive = true,
    };

    public Option<string?> Concurrency { get; } = new("--concurrency")
    {
        Description = "requests at once: backup ranges (1 to 256, default 4), restore downloads and ingests (1 to 1024, default 128); 0 means the default",
        Recursive = true,
    };

    public Option<bool> Checksum { get; } = new("--checksum")
    {
        Description = "verify every table's checksum against its files at the end",
        DefaultValueFactory = _ => true,
        Recursive = true,
    };

    public Option<bool> CheckRequirements { get; } = new("--check-requirements")
    {
        Description = "check the cluster's and the stores' versions first",
        DefaultValueFactory = _ => true,
        Recursive = true,
    };

    public Option<string> LogLevel { get; } = new("--log-level", "-L")
    {
        Description = "log level: " + LogLevels.Choices,
        DefaultValueFactory = _ => "info",
        Recursive = true,
    };

    public Option<string?> LogFile { get; } = new("--log-file")
    {
        Description = "log file (default $TMPDIR/br.log.<time>; set BR_LOG_TO_TERM to log to the terminal instead)",
        Recursive = true,
    };

    public Option<string?> LogFormat { get; } = new("--log-format")
    {
        Description = "log format: text (the only one)",
        Recursive = true,
    };

    public Option<string?> StatusAddr { get; } = new("--status-addr")
    {
        Description = "host:port of an HTTP listener serving the job's progress as JSON (/status) and a health line (/health) while it runs",
        Recursive = true,
    };

    public Option<string?> Ca { get; } = new("--ca") { Description = "PEM file of the CA that signed the cluster's certificates; TLS is on iff it is given", Recursive = true };

    public Option<string?> Cert { get; } = new("--cert") { Description = "PEM file of br's client certificate (TLS)", Recursive = true };

    public Option<string?> Key { get; } = new("--key") { Description = "PEM file of the private key of --cert (TLS)", Recursive = true };

    public UnsupportedFlags Unsupported { get; } = new();

    public LocalServerFlags LocalServer { get; } = new();

    /// <summary>Adds every global flag to <paramref name="root"/>.</summary>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(Pd);
        root.Options.Add(Storage);
        StorageSettings.AddTo(root);
        root.Options.Add(SendCredentials);
        root.Options.Add(RateLimit);
        root.Options.Add(Concurrency);
        root.Options.Add(Checksum);
        root.Options.Add(CheckRequirements);
        root.Options.Add(LogLevel);
        root.Options.Add(LogFile);
        root.Options.Add(LogFormat);
        root.Options.Add(StatusAddr);
        root.Options.Add(Ca);
        root.Options.Add(Cert);
        root.Options.Add(Key);
        Unsupported.AddTo(root);
        LocalServer.AddTo(root);
    }

    /// <summary>
    /// The pd addresses as host:port (br-spec §a): with TLS on (<c>--ca</c> given) <c>http://</c> is refused, with it
    /// off <c>https://</c> is.
    /// </summary>
    public IReadOnlyList<string> PdAddresses(ParseResult parse) =>
        CliArgs.PdAddresses(parse.GetValue(Pd), "--pd", tls: !string.IsNullOrEmpty(parse.GetValue(Ca)));

    /// <summary>The TLS settings of <c>--ca --cert --key</c>, read and checked now; null when TLS is off.</summary>
    public Cairn.Rpc.Security.TlsSettings? Tls(ParseResult parse) => CliTls.Read(parse.GetValue(Ca), parse.GetValue(Cert), parse.GetValue(Key), allowedCommonNames: null);

    /// <summary>
    /// <c>--storage</c> (required; <paramref name="what"/> says what it holds, for the message) with its settings,
    /// checked; throws <see cref="CliUsageException"/>.
    /// </summary>
    public (string Url, Cairn.Storage.StorageOpenOptions Options) StorageTarget(ParseResult parse, string what)
    {
        var storage = parse.GetValue(Storage);
        if (string.IsNullOrWhiteSpace(storage))
        {
            throw new CliUsageException($"--storage (-s) is required: {what}, for example local:///var/backups/b1 or s3://bucket/prefix");
        }

        var options = StorageSettings.Read(parse);
        StorageFlags.ParseUrl(storage, options);
        return (storage, options);
    }

    /// <summary><c>--concurrency</c>: 1 to <paramref name="max"/>; 0 (or not given) is <paramref name="defaultValue"/>.</summary>
    public static int ConcurrencyValue(string? text, int defaultValue, int max, string job)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"--concurrency: '{text}' is not a whole number");
        }

        if (value < 0 || value > max)
        {
            throw new CliUsageException($"--concurrency must be from 1 to {max}{job} (0 means the default, {defaultValue}), got {value}");
        }

        return value == 0 ? defaultValue : value;
    }

    /// <summary>The log level of <c>-L</c>.</summary>
    public LogLevel Level(ParseResult parse)
    {
        var text = parse.GetValue(LogLevel) ?? "info";
        return LogLevels.TryParse(text, out var level) ? level : throw new CliUsageException($"--log-level: '{text}' is not one of {LogLevels.Choices}");
    }

    /// <summary>Refuses flags that are accepted by BR but have no meaning here, naming each with the reason.</summary>
    public void CheckSupported(ParseResult parse)
    {
        Unsupported.Check(parse);
        if (parse.GetValue(LogFormat) is { } format && !string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"--log-format: '{format}' is not supported; br writes text logs only");
        }
    }
}
