using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Storage.S3;

/// <summary>
/// Streams an object into S3. Bytes fill a pooled part buffer; a full buffer is uploaded as the next part
/// while the caller fills a second one, so at most two part buffers exist per writer. An object smaller
/// than one part goes up in a single PutObject on completion. Part uploads are retried here with the
/// storage's policy (the buffer still holds the bytes); a writer disposed before completion, or whose
/// completion failed, aborts its multipart upload.
/// </summary>
internal sealed class S3StorageWriter : IStorageWriter
{
    private readonly S3Storage _owner;
    private readonly string _key;
    private readonly string _describe;
    private readonly int _partSize;
    private readonly List<PartETag> _parts = [];
    private readonly CancellationTokenSource _lifetime = new();
    private byte[]? _current;
    private int _filled;
    private byte[]? _spare;
    private Task<PartETag>? _inFlight;
    private byte[]? _inFlightBuffer;
    private string? _uploadId;
    private int _nextPartNumber = 1;
    private bool _completed;
    private bool _disposed;

    public S3StorageWriter(S3Storage owner, string key, string path)
    {
        _owner = owner;
        _key = key;
        _describe = owner.Describe(path);
        _partSize = owner.Options.PartSize;
    }

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        while (!data.IsEmpty)
        {
            _current ??= ArrayPool<byte>.Shared.Rent(_partSize);
            var n = Math.Min(data.Length, _partSize - _filled);
            data.Span[..n].CopyTo(_current.AsSpan(_filled));
            _filled += n;
            BytesWritten += n;
            data = data[n..];
            if (_filled == _partSize)
            {
                await ShipCurrentPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        if (_uploadId is null)
        {
            await PutSingleAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (_filled > 0)
            {
                await ShipCurrentPartAsync(cancellationToken).ConfigureAwait(false);
            }

            await DrainInFlightAsync(cancellationToken).ConfigureAwait(false);
            var request = new CompleteMultipartUploadRequest
            {
                BucketName = _owner.Options.Bucket,
                Key = _key,
                UploadId = _uploadId,
                PartETags = [.. _parts.OrderBy(p => p.PartNumber)],
            };
            var attempts = 0;
            await _owner.RequestRetry.ExecuteAsync($"complete upload of {_describe}", async ct =>
            {
                try
                {
                    attempts++;
                    await _owner.Client.CompleteMultipartUploadAsync(request, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (_owner.Map(e, $"complete upload of {_describe}", ct) is { } mapped)
                {
                    // NoSuchUpload on a retry: an earlier attempt completed the upload but its answer was lost.
                    if (attempts > 1 && e is AmazonS3Exception { ErrorCode: "NoSuchUpload" } && await IsPublishedAsync(ct).ConfigureAwait(false))
                    {
                        return;
                    }

                    throw mapped;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        _completed = true;
        ReturnBuffers();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_inFlight is not null)
        {
            try
            {
                await _inFlight.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Being aborted; the upload's failure no longer matters.
            }
            _inFlight = null;
            if (_inFlightBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_inFlightBuffer);
            }

            _inFlightBuffer = null;
        }
        if (!_completed && _uploadId is not null)
        {
            try
            {
                // Not cancellable by the caller: a forgotten upload keeps costing storage until a lifecycle rule removes it.
                await _owner.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _owner.Options.Bucket,
                    Key = _key,
                    UploadId = _uploadId,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AmazonServiceException)
            {
                // Best effort: the upload id is listed by ListMultipartUploads for cleanup.
            }
            catch (HttpRequestException)
            {
            }
        }
        ReturnBuffers();
        _lifetime.Dispose();
    }

    private async ValueTask ShipCurrentPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            await StartUploadAsync(cancellationToken).ConfigureAwait(false);
        }
        // Wait for the previous part first: it frees the second buffer and bounds memory to two parts.
        await DrainInFlightAsync(cancellationToken).ConfigureAwait(false);
        var buffer = _current!;
        var length = _filled;
        var partNumber = _nextPartNumber++;
        _inFlightBuffer = buffer;
        _inFlight = UploadPartAsync(buffer, length, partNumber, _lifetime.Token);
        _current = _spare;
        _spare = null;
        _filled = 0;
    }

    private async ValueTask DrainInFlightAsync(CancellationToken cancellationToken)
    {
        if (_inFlight is null)
        {
            return;
        }

        var part = await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        _parts.Add(part);
        _inFlight = null;
        _spare = _inFlightBuffer;
        _inFlightBuffer = null;
    }

    private Task<PartETag> UploadPartAsync(byte[] buffer, int length, int partNumber, CancellationToken cancellationToken) =>
        _owner.RequestRetry.ExecuteAsync($"upload part {partNumber} of {_describe}", async ct =>
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            try
            {
                var response = await _owner.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _owner.Options.Bucket,
                    Key = _key,
                    UploadId = _uploadId,
                    PartNumber = partNumber,
                    PartSize = length,
                    InputStream = body,
                }, ct).ConfigureAwait(false);
                return new PartETag(partNumber, response.ETag);
            }
            catch (Exception e) when (_owner.Map(e, $"upload part {partNumber} of {_describe}", ct) is { } mapped)
            {
                throw mapped;
            }
        }, cancellationToken).AsTask();

    private async ValueTask StartUploadAsync(CancellationToken cancellationToken)
    {
        var options = _owner.Options;
        _uploadId = await _owner.RequestRetry.ExecuteAsync($"start upload of {_describe}", async ct =>
        {
            var request = new InitiateMultipartUploadRequest { BucketName = options.Bucket, Key = _key };
            if (options.StorageClass is not null)
            {
                request.StorageClass = S3StorageClass.FindValue(options.StorageClass);
            }

            if (options.Sse is not null)
            {
                request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(options.Sse);
            }

            if (options.SseKmsKeyId is not null)
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = options.SseKmsKeyId;
            }

            if (options.Acl is not null)
            {
                request.CannedACL = S3CannedACL.FindValue(options.Acl);
            }

            try
            {
                return (await _owner.Client.InitiateMultipartUploadAsync(request, ct).ConfigureAwait(false)).UploadId;
            }
            catch (Exception e) when (_owner.Map(e, $"start upload of {_describe}", ct) is { } mapped)
            {
                throw mapped;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask PutSingleAsync(CancellationToken cancellationToken)
    {
        var options = _owner.Options;
        var buffer = _current ?? [];
        var length = _filled;
        await _owner.RequestRetry.ExecuteAsync($"write {_describe}", async ct =>
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var request = new PutObjectRequest { BucketName = options.Bucket, Key = _key, InputStream = body, AutoCloseStream = false };
            if (options.StorageClass is not null)
            {
                request.StorageClass = S3StorageClass.FindValue(options.StorageClass);
            }

            if (options.Sse is not null)
            {
                request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(options.Sse);
            }

            if (options.SseKmsKeyId is not null)
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = options.SseKmsKeyId;
            }

            if (options.Acl is not null)
            {
                request.CannedACL = S3CannedACL.FindValue(options.Acl);
            }

            try
            {
                await _owner.Client.PutObjectAsync(request, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (_owner.Map(e, $"write {_describe}", ct) is { } mapped)
            {
                throw mapped;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsPublishedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var head = await _owner.Client.GetObjectMetadataAsync(_owner.Options.Bucket, _key, cancellationToken).ConfigureAwait(false);
            return head.ContentLength == BytesWritten;
        }
        catch (AmazonServiceException)
        {
            return false;
        }
    }

    private void ReturnBuffers()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }

        if (_spare is not null)
        {
            ArrayPool<byte>.Shared.Return(_spare);
        }
        // A buffer still owned by an unfinished upload is left to the GC rather than reused under it.
        _current = _spare = null;
        _filled = 0;
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"the writer of {_describe} is already complete");
        }
    }
}
