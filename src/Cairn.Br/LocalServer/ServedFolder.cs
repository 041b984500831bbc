using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Storage;
using Cairn.Storage.Local;
using Cairn.Storage.Served;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.LocalServer;

/// <summary>
/// Answers <see cref="ServedProtocol"/> requests on one folder through <see cref="LocalStorage"/>, so uploads are
/// atomic (temporary file, fsync, rename) and the files are laid out as a <c>local://</c> backup's. A request without
/// the job's token gets 401 before anything else is looked at; a path that is not a plain relative one inside the
/// folder (<c>..</c>, empty segments, escapes, a NUL) gets 400 and touches nothing.
/// </summary>
internal sealed class ServedFolder
{
    private const int CopyBuffer = 1024 * 1024;
    private readonly LocalStorage _storage;
    private readonly byte[] _token;
    private readonly ILogger _logger;
    private long _uploads;
    private long _uploadBytes;
    private long _downloads;
    private long _downloadBytes;
    private long _refused;

    public ServedFolder(string folder, byte[] token, ILogger logger)
    {
        _storage = new LocalStorage(folder);
        _token = token;
        _logger = logger;
    }

    /// <summary>What was served so far.</summary>
    public (long Uploads, long UploadBytes, long Downloads, long DownloadBytes, long Refused) Stats =>
        (Interlocked.Read(ref _uploads), Interlocked.Read(ref _uploadBytes), Interlocked.Read(ref _downloads), Interlocked.Read(ref _downloadBytes), Interlocked.Read(ref _refused));

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var shownPath = request.Path.Value ?? "";
        if (!Authorized(request))
        {
            Interlocked.Increment(ref _refused);
            LocalServerLog.Refused(_logger, request.Method, shownPath, remote, "wrong or missing bearer token");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await AnswerAsync(context, StatusCodes.Status401Unauthorized,
                "wrong or missing bearer token: this br local backup server takes only the token br sent to the stores of its own job").ConfigureAwait(false);
            return;
        }

        long bytes = 0;
        try
        {
            bytes = await DispatchAsync(context).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            var status = e.Kind switch
            {
                StorageErrorKind.NotFound => StatusCodes.Status404NotFound,
                StorageErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
                StorageErrorKind.AccessDenied => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status500InternalServerError,
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                LocalServerLog.Failed(_logger, request.Method, shownPath, remote, e.Message);
            }

            if (!context.Response.HasStarted)
            {
                await AnswerAsync(context, status, e.Message).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException || (e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The client went away or broke its body off: nothing was published, the temporary file is gone.
            LocalServerLog.BrokenOff(_logger, request.Method, shownPath, remote, e.Message);
            return;
        }

        LocalServerLog.Served(_logger, request.Method, shownPath, remote, context.Response.StatusCode, bytes);
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.ASCII.GetBytes(header[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }

    private async Task<long> DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (path == ServedProtocol.ListPath && HttpMethods.IsGet(request.Method))
        {
            return await ListAsync(context, request.Query["prefix"].ToString()).ConfigureAwait(false);
        }

        if (!path.StartsWith(ServedProtocol.ObjectsPath, StringComparison.Ordinal))
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, $"no such endpoint {path}: use {ServedProtocol.ObjectsPath}PATH or {ServedProtocol.ListPath}").ConfigureAwait(false);
            return 0;
        }

        var name = ObjectName(path[ServedProtocol.ObjectsPath.Length..]);
        switch (request.Method)
        {
            case var m when HttpMethods.IsPut(m):
                return await UploadAsync(context, name).ConfigureAwait(false);
            case var m when HttpMethods.IsGet(m) || HttpMethods.IsHead(m):
                return await DownloadAsync(context, name, HttpMethods.IsHead(m)).ConfigureAwait(false);
            case var m when HttpMethods.IsDelete(m):
                await _storage.DeleteAsync(name, context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return 0;
            default:
                context.Response.Headers.Allow = "GET, HEAD, PUT, DELETE";
                await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not served; use GET, HEAD, PUT or DELETE").ConfigureAwait(false);
                return 0;
        }
    }

    // Kestrel has decoded the path except "%2F"; a '%' left over is an escaped separator or a double escape, which a
    // client of ours never sends and which could only mean a name other than it reads.
    private static string ObjectName(string path)
    {
        if (path.Contains('%', StringComparison.Ordinal))
        {
            throw new StorageException($"invalid storage path \"{path}\": it contains an escaped separator or '%'", isTransient: false, StorageErrorKind.InvalidArgument);
        }

        StoragePath.Validate(path);
        return path;
    }

    private async Task<long> UploadAsync(HttpContext context, string name)
    {
        var body = context.Request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            var writer = await _storage.CreateAsync(name, context.RequestAborted).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBuffer), context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                }

                await writer.CompleteAsync(context.RequestAborted).ConfigureAwait(false);
                Interlocked.Increment(ref _uploads);
                Interlocked.Add(ref _uploadBytes, writer.BytesWritten);
                context.Response.StatusCode = StatusCodes.Status201Created;
                return writer.BytesWritten;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<long> DownloadAsync(HttpContext context, string name, bool headOnly)
    {
        var file = new FileInfo(Path.Combine(_storage.BasePath, name));
        if (!file.Exists)
        {
            throw new StorageException($"no object {name} in {_storage.Uri}", isTransient: false, StorageErrorKind.NotFound);
        }

        var size = file.Length;
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        long from = 0;
        var count = size;
        var ranges = context.Request.GetTypedHeaders().Range;
        if (!headOnly && ranges is { Ranges.Count: 1 } && string.Equals(ranges.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase))
        {
            var range = ranges.Ranges.First();
            from = range.From ?? Math.Max(0, size - (range.To ?? 0));
            var last = range.From is null ? size - 1 : Math.Min(range.To ?? size - 1, size - 1);
            if (from >= size || last < from)
            {
                response.Headers.ContentRange = $"bytes */{size}";
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                return 0;
            }

            count = last - from + 1;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {from}-{last}/{size}";
        }

        response.ContentLength = count;
        response.ContentType = "application/octet-stream";
        if (headOnly)
        {
            return 0;
        }

        var stream = await _storage.OpenReadAsync(name, from, count, context.RequestAborted).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.CopyToAsync(response.Body, CopyBuffer, context.RequestAborted).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _downloads);
        Interlocked.Add(ref _downloadBytes, count);
        return count;
    }

    private async Task<long> ListAsync(HttpContext context, string prefix)
    {
        var directory = StoragePath.NormalizeDirectory(prefix);
        context.Response.ContentType = "application/x-ndjson";
        var output = context.Response.BodyWriter;
        long entries = 0;
        await foreach (var item in _storage.ListAsync(directory, context.RequestAborted).ConfigureAwait(false))
        {
            using (var json = new Utf8JsonWriter(output))
            {
                json.WriteStartObject();
                json.WriteString("path", item.Path);
                json.WriteNumber("size", item.Size);
                json.WriteEndObject();
            }

            output.Write("\n"u8);
            if (++entries % 256 == 0)
            {
                await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }

        return entries;
    }

    private static async Task AnswerAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
