"""A grpcio server implementing a few kvproto methods, for interop tests of Cairn.Rpc's client.

Usage: /usr/bin/python3 interop_server.py GENERATED_DIR
Prints "PORT <n>" once listening on 127.0.0.1 and serves until stdin is closed, so it
never outlives the test process that started it.
"""
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])

from concurrent import futures  # noqa: E402

import grpc  # noqa: E402

import brpb_pb2  # noqa: E402
import brpb_pb2_grpc  # noqa: E402
import import_sstpb_pb2  # noqa: E402
import import_sstpb_pb2_grpc  # noqa: E402
import kvrpcpb_pb2  # noqa: E402
import tikvpb_pb2_grpc  # noqa: E402

UNICODE_MESSAGE = "key not found: \u00e4/100% \u2713"
STORE = {}
LOCK = threading.Lock()


class Tikv(tikvpb_pb2_grpc.TikvServicer):
    def RawGet(self, request, context):
        key = request.key
        if key == b"fail":
            context.abort(grpc.StatusCode.NOT_FOUND, UNICODE_MESSAGE)
        if key == b"slow":
            # Hold the call until the client's deadline ends it, then record that we saw it end.
            while context.is_active():
                time.sleep(0.01)
            with LOCK:
                STORE[b"slow-ended"] = b"1"
            return kvrpcpb_pb2.RawGetResponse()
        if key == b"meta":
            value = dict(context.invocation_metadata()).get("cluster-id", "")
            return kvrpcpb_pb2.RawGetResponse(value=value.encode())
        with LOCK:
            value = STORE.get(key)
        if value is None:
            return kvrpcpb_pb2.RawGetResponse(not_found=True)
        return kvrpcpb_pb2.RawGetResponse(value=value)

    def RawPut(self, request, context):
        with LOCK:
            STORE[request.key] = request.value
        return kvrpcpb_pb2.RawPutResponse()


class Backup(brpb_pb2_grpc.BackupServicer):
    def backup(self, request, context):
        for i in range(request.concurrency):
            yield brpb_pb2.BackupResponse(
                start_key=b"k%d" % i,
                end_key=b"k%d" % (i + 1),
                files=[brpb_pb2.File(name="%d_write.sst" % i, crc64xor=1000 + i, cf="write", size=4096 * (i + 1))],
            )
        if request.cf == "fail-after":
            context.abort(grpc.StatusCode.UNAVAILABLE, "store unavailable")


class ImportSST(import_sstpb_pb2_grpc.ImportSSTServicer):
    def Upload(self, request_iterator, context):
        uuid = b""
        total = 0
        chunks = 0
        for request in request_iterator:
            if request.HasField("meta"):
                uuid = request.meta.uuid
            else:
                total += len(request.data)
                chunks += 1
        with LOCK:
            STORE[b"upload:" + uuid] = b"%d/%d" % (chunks, total)
        return import_sstpb_pb2.UploadResponse()


def main():
    limit = 64 * 1024 * 1024
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_receive_message_length", limit), ("grpc.max_send_message_length", limit)],
    )
    tikvpb_pb2_grpc.add_TikvServicer_to_server(Tikv(), server)
    brpb_pb2_grpc.add_BackupServicer_to_server(Backup(), server)
    import_sstpb_pb2_grpc.add_ImportSSTServicer_to_server(ImportSST(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        print("failed to bind 127.0.0.1:0", file=sys.stderr)
        return 2
    server.start()
    print("PORT %d" % port, flush=True)
    sys.stdin.read()
    server.stop(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
