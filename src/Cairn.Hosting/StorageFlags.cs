using System.CommandLine;
using Cairn.Storage;

namespace Cairn.Hosting;

/// <summary>
/// BR's storage setting flags (<c>--s3.*</c>, <c>--azblob.*</c>, <c>--gcs.*</c>, <c>--skip-check-path</c>), shared by
/// <c>br</c> and <c>cairn storage</c> so that both spell and read them the same way. Each setting flag maps onto the
/// <see cref="StorageOpenOptions.Settings"/> entry of the same name without the dashes; a query parameter of the
/// storage URL overrides it.
/// </summary>
public sealed class StorageFlags
{
    /// <summary>The setting names, as BR spells its flags (without the leading dashes).</summary>
    public static IReadOnlyList<string> SettingNames { get; } =
    [
        "s3.endpoint", "s3.region", "s3.storage-class", "s3.sse", "s3.sse-kms-key-id", "s3.acl", "s3.provider",
        "s3.force-path-style", "s3.access-key", "s3.secret-access-key", "s3.session-token",
        "azblob.endpoint", "azblob.account-name", "azblob.account-key", "azblob.sas-token", "azblob.access-tier",
        "gcs.endpoint", "gcs.storage-class", "gcs.predefined-acl", "gcs.credentials-file",
    ];

    private readonly Option<string?>[] _settings;

    /// <summary>Creates the options; <paramref name="recursive"/> makes them apply to every subcommand.</summary>
    public StorageFlags(bool recursive = true)
    {
        _settings = [.. SettingNames.Select(name => new Option<string?>("--" + name)
        {
            Description = $"storage setting {name} (a query parameter of the URL overrides it)",
            Recursive = recursive,
        })];
        SkipCheckPath = new Option<bool>("--skip-check-path")
        {
            Description = "do not check at open that the bucket or container is accessible",
            Recursive = recursive,
        };
    }

    /// <summary><c>--skip-check-path</c>.</summary>
    public Option<bool> SkipCheckPath { get; }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in _settings)
        {
            command.Options.Add(option);
        }

        command.Options.Add(SkipCheckPath);
    }

    /// <summary>The storage options the flags of <paramref name="parse"/> set (settings and the path check).</summary>
    public StorageOpenOptions Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _settings.Length; i++)
        {
            if (parse.GetValue(_settings[i]) is { } value)
            {
                values[SettingNames[i]] = value;
            }
        }

        return new StorageOpenOptions { Settings = values, CheckPath = !parse.GetValue(SkipCheckPath) };
    }

    /// <summary>The values of the secret flags given, for <see cref="Redact.Secrets"/>.</summary>
    public string[] Secrets(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return [.. _settings.Where(o => Redact.IsSecretParameter(o.Name)).Select(o => parse.GetValue(o)).OfType<string>()];
    }

    /// <summary>
    /// Parses <paramref name="url"/> with <paramref name="options"/>: a malformed URL, an unknown scheme or an
    /// incomplete credential pair is bad usage (<see cref="CliUsageException"/>), named without secrets.
    /// </summary>
    public static StorageUrl ParseUrl(string url, StorageOpenOptions options)
    {
        try
        {
            return StorageUrl.Parse(url, options);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.InvalidArgument)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
