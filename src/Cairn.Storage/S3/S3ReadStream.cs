using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Storage.S3;

/// <summary>
/// A ranged GET exposed as a forward-only stream. When the connection drops or the body ends early, the
/// stream reopens the range from the byte it has reached (<c>bytes=position-</c>), up to
/// <see cref="S3Options.MaxReadResumes"/> times in a row without progress; then it fails with a transient
/// <see cref="StorageException"/>. Reopenings themselves follow the storage's part retry policy.
/// </summary>
internal sealed class S3ReadStream : ReadOnlyStream
{
    private readonly S3Storage _owner;
    private readonly string _key;
    private readonly string _describe;
    private readonly long _start;
    private readonly long _end;
    private long _position;
    private GetObjectResponse? _response;
    private Stream? _body;
    private int _failuresWithoutProgress;
    private bool _disposed;

    private S3ReadStream(S3Storage owner, string key, string describe, long start, long end, GetObjectResponse? response)
    {
        _owner = owner;
        _key = key;
        _describe = describe;
        _start = start;
        _position = start;
        _end = end;
        _response = response;
        _body = response?.ResponseStream;
    }

    /// <summary>Opens <c>[offset, end)</c>; <paramref name="end"/> null means to the object's end. Ranges past the end are clipped.</summary>
    public static async Task<S3ReadStream> OpenAsync(S3Storage owner, string key, string describe, long offset, long? end, CancellationToken cancellationToken)
    {
        var (response, total) = await GetAsync(owner, key, describe, offset, end, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return new S3ReadStream(owner, key, describe, offset, offset, null); // range starts at or past the end
        }

        var clippedEnd = end is { } e ? Math.Min(e, total) : total;
        return new S3ReadStream(owner, key, describe, offset, clippedEnd, response);
    }

    public override long Length => _end - _start;

    protected override long ReadPosition => _position - _start;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0 || _position >= _end)
        {
            return 0;
        }

        var want = (int)Math.Min(buffer.Length, _end - _position);
        while (true)
        {
            Exception? failure;
            if (_body is null)
            {
                await ReopenAsync(cancellationToken).ConfigureAwait(false);
                if (_position >= _end)
                {
                    return 0;
                }
            }
            try
            {
                var n = await _body!.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
                if (n > 0)
                {
                    _position += n;
                    _failuresWithoutProgress = 0;
                    return n;
                }
                failure = new IOException($"the response ended at byte {_position}, before byte {_end}");
            }
            catch (Exception e) when (_owner.Map(e, $"read {_describe}", cancellationToken) is { IsTransient: true })
            {
                failure = e;
            }

            CloseBody();
            if (++_failuresWithoutProgress > _owner.Options.MaxReadResumes)
            {
                throw new StorageException(
                    $"read {_describe}: the connection failed {_failuresWithoutProgress} times at byte {_position} without progress: {failure.Message}",
                    isTransient: true, StorageErrorKind.Network, failure);
            }
        }
    }

    private async Task ReopenAsync(CancellationToken cancellationToken)
    {
        var (response, _) = await _owner.RequestRetry.ExecuteAsync(
            $"reopen {_describe} at byte {_position}",
            async ct => await GetAsync(_owner, _key, _describe, _position, _end, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            // The object shrank under us: a replaced object is not the one we were reading.
            throw new StorageException($"read {_describe}: the object changed while being read (now shorter than byte {_position})", isTransient: false, StorageErrorKind.Other);
        }
        _response = response;
        _body = response.ResponseStream;
    }

    // Returns the response and the object's total size, or (null, 0) when the range starts past the end.
    private static async Task<(GetObjectResponse? Response, long Total)> GetAsync(S3Storage owner, string key, string describe, long offset, long? end, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest
        {
            BucketName = owner.Options.Bucket,
            Key = key,
            ByteRange = end is { } e ? new ByteRange(offset, e - 1) : new ByteRange(string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-")),
        };
        GetObjectResponse response;
        try
        {
            response = await owner.Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return (null, 0);
        }
        catch (Exception ex) when (owner.Map(ex, $"read {describe}", cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        var total = TotalFromContentRange(response.ContentRange, out var rangeStart);
        if (total is null)
        {
            // A server that ignores Range answers 200 with the whole object; only byte 0 can start there.
            if (offset != 0)
            {
                response.Dispose();
                throw new StorageException($"read {describe}: the server ignored the byte range", isTransient: false, StorageErrorKind.Other);
            }
            return (response, response.ContentLength);
        }
        if (rangeStart != offset)
        {
            response.Dispose();
            throw new StorageException($"read {describe}: asked for byte {offset}, the server answered from byte {rangeStart}", isTransient: true, StorageErrorKind.ServerError);
        }
        return (response, total.Value);
    }

    // "bytes 100-199/1000" → 1000 and start 100.
    private static long? TotalFromContentRange(string? contentRange, out long start)
    {
        start = 0;
        if (string.IsNullOrEmpty(contentRange))
        {
            return null;
        }

        var space = contentRange.IndexOf(' ', StringComparison.Ordinal);
        var dash = contentRange.IndexOf('-', StringComparison.Ordinal);
        var slash = contentRange.IndexOf('/', StringComparison.Ordinal);
        if (space < 0 || dash < space || slash < dash)
        {
            return null;
        }

        if (!long.TryParse(contentRange.AsSpan(space + 1, dash - space - 1), NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            return null;
        }

        return long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            CloseBody();
        }
        base.Dispose(disposing);
    }
}
