using System.Buffers;
using System.CommandLine;
using System.Globalization;
using Cairn.Common;
using Cairn.Hosting;
using Cairn.Storage;

namespace Cairn.Server;

/// <summary>
/// <c>cairn storage ls|put|get|rm</c>: look at and move objects in any backup storage, with BR's storage flags.
/// Exit codes: 0 success, 1 the operation failed, 2 bad usage (missing or extra arguments, a malformed URL).
/// Errors are one line on stderr, with credentials redacted.
/// </summary>
internal static class StorageCommand
{
    private const int Failed = 1;
    private const int BadUsage = 2;

    public static Command Create()
    {
        var flags = new StorageFlags(recursive: true);
        var rateLimit = new Option<string?>("--ratelimit") { Description = "bytes per second for all transfers (0: unlimited)", Recursive = true };

        var storage = new Command("storage", "List, upload, download and delete objects in backup storage (local, noop, s3, azure, gcs).");
        flags.AddTo(storage);
        storage.Options.Add(rateLimit);

        StorageOpenOptions Options(ParseResult parse)
        {
            var limitText = parse.GetValue(rateLimit);
            long limit = 0;
            if (limitText is not null && !ByteSize.TryParse(limitText, out limit))
            {
                throw new CliUsageException($"--ratelimit must be bytes per second (e.g. 1000000, 64MiB), not \"{limitText}\"");
            }

            return flags.Read(parse) with { RateLimitBytesPerSecond = limit };
        }

        string[] Secrets(ParseResult parse) => flags.Secrets(parse);

        storage.Subcommands.Add(Ls());
        storage.Subcommands.Add(Put());
        storage.Subcommands.Add(Get());
        storage.Subcommands.Add(Rm());
        return storage;

        Command Ls()
        {
            var url = new Argument<string?>("url") { Description = "storage URL", Arity = ArgumentArity.ZeroOrOne };
            var prefix = new Option<string?>("--prefix") { Description = "list only under this sub-folder" };
            var command = new Command("ls", "List objects with their sizes: one \"path<TAB>size\" line each.") { TreatUnmatchedTokensAsErrors = false };
            command.Arguments.Add(url);
            command.Options.Add(prefix);
            command.SetAction((parse, ct) => RunAsync(parse, Secrets(parse), async () =>
            {
                var target = Required(parse.GetValue(url), "ls needs a storage URL");
                await using var store = await ExternalStorage.OpenAsync(StorageFlags.ParseUrl(target, Options(parse)), Options(parse), ct).ConfigureAwait(false);
                var output = Console.Out;
                await foreach (var item in store.ListAsync(parse.GetValue(prefix) ?? "", ct).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{item.Path}\t{item.Size}")).ConfigureAwait(false);
                }

                await output.FlushAsync(ct).ConfigureAwait(false);
            }));
            return command;
        }

        Command Put()
        {
            var url = new Argument<string?>("url") { Description = "storage URL ending with the object's path", Arity = ArgumentArity.ZeroOrOne };
            var file = new Argument<string?>("file") { Description = "local file to upload, or - for standard input", Arity = ArgumentArity.ZeroOrOne };
            var command = new Command("put", "Upload a local file (or standard input) to URL/path, streaming.") { TreatUnmatchedTokensAsErrors = false };
            command.Arguments.Add(url);
            command.Arguments.Add(file);
            command.SetAction((parse, ct) => RunAsync(parse, Secrets(parse), async () =>
            {
                var (baseUrl, path) = SplitObjectUrl(Required(parse.GetValue(url), "put needs URL/path and a local file"));
                var source = Required(parse.GetValue(file), "put needs a local file (or - for standard input)");
                var options = Options(parse);
                var parsed = StorageFlags.ParseUrl(baseUrl, options);
                Stream input;
                try
                {
                    input = source == "-" ? Console.OpenStandardInput() : new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new StorageException($"cannot read {source}: {ex.Message}", isTransient: false, StorageErrorKind.NotFound, ex);
                }
                await using (input.ConfigureAwait(false))
                {
                    await using var store = await ExternalStorage.OpenAsync(parsed, options, ct).ConfigureAwait(false);
                    await using var writer = await store.CreateAsync(path, ct).ConfigureAwait(false);
                    var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                    try
                    {
                        int n;
                        while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                        {
                            await writer.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                    await writer.CompleteAsync(ct).ConfigureAwait(false);
                    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"put {StoragePath.Join(store.Uri, path)}: {writer.BytesWritten} bytes")).ConfigureAwait(false);
                }
            }));
            return command;
        }

        Command Get()
        {
            var url = new Argument<string?>("url") { Description = "storage URL ending with the object's path", Arity = ArgumentArity.ZeroOrOne };
            var file = new Argument<string?>("file") { Description = "local file to write, or - for standard output", Arity = ArgumentArity.ZeroOrOne };
            var command = new Command("get", "Download URL/path into a local file (or standard output), streaming.") { TreatUnmatchedTokensAsErrors = false };
            command.Arguments.Add(url);
            command.Arguments.Add(file);
            command.SetAction((parse, ct) => RunAsync(parse, Secrets(parse), async () =>
            {
                var (baseUrl, path) = SplitObjectUrl(Required(parse.GetValue(url), "get needs URL/path and a local file"));
                var destination = Required(parse.GetValue(file), "get needs a local file (or - for standard output)");
                var options = Options(parse);
                var parsed = StorageFlags.ParseUrl(baseUrl, options);
                await using var store = await ExternalStorage.OpenAsync(parsed, options, ct).ConfigureAwait(false);
                await using var reader = await store.OpenReadAsync(path, 0, null, ct).ConfigureAwait(false);
                if (destination == "-")
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await reader.CopyToAsync(stdout, 1 << 20, ct).ConfigureAwait(false);
                    return;
                }
                // Into a temp file first, so a failed download never leaves a truncated file under the real name.
                var temp = destination + ".part";
                try
                {
                    await using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                    {
                        await reader.CopyToAsync(output, 1 << 20, ct).ConfigureAwait(false);
                    }

                    File.Move(temp, destination, overwrite: true);
                }
                catch
                {
                    File.Delete(temp);
                    throw;
                }
            }));
            return command;
        }

        Command Rm()
        {
            var url = new Argument<string?>("url") { Description = "storage URL ending with the object's path", Arity = ArgumentArity.ZeroOrOne };
            var command = new Command("rm", "Delete the object at URL/path (deleting a missing object succeeds).") { TreatUnmatchedTokensAsErrors = false };
            command.Arguments.Add(url);
            command.SetAction((parse, ct) => RunAsync(parse, Secrets(parse), async () =>
            {
                var (baseUrl, path) = SplitObjectUrl(Required(parse.GetValue(url), "rm needs URL/path"));
                var options = Options(parse);
                await using var store = await ExternalStorage.OpenAsync(StorageFlags.ParseUrl(baseUrl, options), options, ct).ConfigureAwait(false);
                await store.DeleteAsync(path, ct).ConfigureAwait(false);
            }));
            return command;
        }
    }

    private static async Task<int> RunAsync(ParseResult parse, string[] secrets, Func<Task> body)
    {
        try
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                throw new CliUsageException($"unexpected argument(s): {Redact.Secrets(string.Join(' ', parse.UnmatchedTokens.Select(Redact.Url)), secrets)}");
            }

            await body().ConfigureAwait(false);
            return 0;
        }
        catch (CliUsageException ex)
        {
            await Console.Error.WriteLineAsync($"cairn storage: {Redact.Secrets(ex.Message, secrets)} (see --help)").ConfigureAwait(false);
            return BadUsage;
        }
        catch (StorageException ex)
        {
            await Console.Error.WriteLineAsync($"cairn storage: {OneLine(Redact.Secrets(ex.Message, secrets))}").ConfigureAwait(false);
            return Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"cairn storage: {OneLine(Redact.Secrets(ex.Message, secrets))}").ConfigureAwait(false);
            return Failed;
        }
    }

    /// <summary>Splits <c>scheme://base/dir/name?query</c> into the storage URL (<c>scheme://base/dir?query</c>) and the object's name.</summary>
    internal static (string BaseUrl, string Path) SplitObjectUrl(string url)
    {
        var queryStart = url.IndexOf('?', StringComparison.Ordinal);
        var main = queryStart >= 0 ? url[..queryStart] : url;
        var query = queryStart >= 0 ? url[queryStart..] : "";
        var schemeEnd = main.IndexOf("://", StringComparison.Ordinal);
        var pathStart = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        var slash = main.LastIndexOf('/');
        if (slash < pathStart || slash == main.Length - 1)
        {
            throw new CliUsageException($"\"{Redact.Url(url)}\" does not end with an object name (URL/path)");
        }

        var name = schemeEnd >= 0 ? Uri.UnescapeDataString(main[(slash + 1)..]) : main[(slash + 1)..];
        var baseUrl = main[..slash];
        if (schemeEnd >= 0 && baseUrl.Length == pathStart && !main.StartsWith("noop://", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"\"{Redact.Url(url)}\" has no bucket or container before the object name");
        }

        if (baseUrl.Length == 0)
        {
            baseUrl = "/";
        }

        return (baseUrl + query, name);
    }

    private static string Required(string? value, string message) => string.IsNullOrEmpty(value) ? throw new CliUsageException(message) : value;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
