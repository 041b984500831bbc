"""A grpcio client that checks Cairn.Rpc's server against kvproto's service definitions.

Usage: /usr/bin/python3 interop_client.py GENERATED_DIR HOST:PORT
Exits 0 when every check passed; otherwise prints each failure on stderr and exits 1.
"""
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402

import brpb_pb2  # noqa: E402
import brpb_pb2_grpc  # noqa: E402
import import_sstpb_pb2  # noqa: E402
import import_sstpb_pb2_grpc  # noqa: E402
import kvrpcpb_pb2  # noqa: E402
import tikvpb_pb2_grpc  # noqa: E402

UNICODE_MESSAGE = "key not found: \u00e4/100% \u2713"
FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
    return condition


def expect_error(call, code, what, details=None):
    try:
        call()
    except grpc.RpcError as e:
        check(e.code() == code, "%s: expected %s, got %s (%r)" % (what, code, e.code(), e.details()))
        if details is not None:
            check(e.details() == details, "%s: expected details %r, got %r" % (what, details, e.details()))
        return
    FAILURES.append("%s: expected %s, but the call succeeded" % (what, code))


def main():
    limit = 64 * 1024 * 1024
    channel = grpc.insecure_channel(
        sys.argv[2], options=[("grpc.max_receive_message_length", limit), ("grpc.max_send_message_length", limit)]
    )
    grpc.channel_ready_future(channel).result(timeout=20)
    tikv = tikvpb_pb2_grpc.TikvStub(channel)
    backup = brpb_pb2_grpc.BackupStub(channel)
    importer = import_sstpb_pb2_grpc.ImportSSTStub(channel)

    # Unary round trip, with metadata and a 3 MiB value.
    big = bytes(range(256)) * (3 * 4096)
    tikv.RawPut(kvrpcpb_pb2.RawPutRequest(key=b"k", value=b"v", cf="default"), timeout=20)
    tikv.RawPut(kvrpcpb_pb2.RawPutRequest(key=b"big", value=big), timeout=20)
    got = tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"k"), timeout=20)
    check(got.value == b"v" and not got.not_found, "RawGet k: got %r" % got)
    got = tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"big"), timeout=20)
    check(got.value == big, "RawGet big: %d bytes back" % len(got.value))
    got = tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"absent"), timeout=20)
    check(got.not_found, "RawGet absent: not_found expected, got %r" % got)
    got = tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"meta"), metadata=[("cluster-id", "6881")], timeout=20)
    check(got.value == b"6881", "metadata: got %r" % got.value)

    # Status codes and a percent-encoded unicode message.
    expect_error(lambda: tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"fail"), timeout=20),
                 grpc.StatusCode.NOT_FOUND, "RawGet fail", UNICODE_MESSAGE)
    expect_error(lambda: tikv.KvGet(kvrpcpb_pb2.GetRequest(key=b"k"), timeout=20),
                 grpc.StatusCode.UNIMPLEMENTED, "KvGet (not registered)")
    expect_error(lambda: tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"slow"), timeout=0.3),
                 grpc.StatusCode.DEADLINE_EXCEEDED, "RawGet slow with timeout")

    # Server streaming: order, and delivery before the server produced the rest ("gated" waits for RawPut gate).
    keys = [r.start_key for r in backup.backup(brpb_pb2.BackupRequest(concurrency=5), timeout=20)]
    check(keys == [b"k0", b"k1", b"k2", b"k3", b"k4"], "backup stream order: %r" % keys)
    stream = backup.backup(brpb_pb2.BackupRequest(concurrency=3, cf="gated"), timeout=20)
    first = next(stream)
    check(first.files and first.files[0].name == "0_write.sst", "gated first message: %r" % first)
    tikv.RawPut(kvrpcpb_pb2.RawPutRequest(key=b"gate", value=b"open"), timeout=20)
    rest = [r.start_key for r in stream]
    check(rest == [b"k1", b"k2"], "gated rest: %r" % rest)

    # An error after some messages.
    received = []

    def consume():
        for r in backup.backup(brpb_pb2.BackupRequest(concurrency=2, cf="fail-after"), timeout=20):
            received.append(r.start_key)

    expect_error(consume, grpc.StatusCode.UNAVAILABLE, "backup fail-after", "store unavailable")
    check(received == [b"k0", b"k1"], "fail-after messages before the error: %r" % received)

    # Client streaming.
    def chunks():
        yield import_sstpb_pb2.UploadRequest(meta=import_sstpb_pb2.SSTMeta(uuid=b"u1", cf_name="default"))
        for i in range(4):
            yield import_sstpb_pb2.UploadRequest(data=b"x" * (1000 + i))

    importer.Upload(chunks(), timeout=20)
    got = tikv.RawGet(kvrpcpb_pb2.RawGetRequest(key=b"upload:u1"), timeout=20)
    check(got.value == b"4/4006", "upload summary: %r" % got.value)

    channel.close()
    if FAILURES:
        for f in FAILURES:
            print("FAIL: " + f, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # an unexpected RpcError or crash is a failure too
        import traceback
        traceback.print_exc()
        print("FAIL: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
