"""What issue 17's operations cost: the request counting wrapper (api/operations.py) per
request, against the same ASGI app without it; the memory of boto3 with an S3 client (a
process with an s3:// blob store pays it, no other); and storing and streaming a 64 MB file
through a moto_server on loopback (memory peak of the process: never the whole file)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._results import write_results

REQUESTS = 200_000


async def _app(scope: object, receive: object, send: object) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"x" * 100})  # type: ignore[operator]


async def _noop_send(message: object) -> None:
    return None


async def _receive() -> dict[str, object]:
    return {"type": "http.request"}


def per_request_us(wrapped: bool) -> float:
    from cadenza.api.operations import Operations

    operations = Operations()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/audio/" + "a" * 64 + ".ogg",
        "headers": [(b"range", b"bytes=65536-131071")],
    }

    async def run() -> float:
        started = time.perf_counter()
        for _ in range(REQUESTS):
            if wrapped:
                await operations(dict(scope), _receive, _noop_send, _app)  # type: ignore[arg-type]
            else:
                await _app(dict(scope), _receive, _noop_send)
        return (time.perf_counter() - started) / REQUESTS * 1e6

    return asyncio.run(run())


def boto3_mb() -> float:
    code = (
        "import psutil;p=psutil.Process();a=p.memory_info().rss;import boto3;"
        "boto3.session.Session().client('s3',region_name='us-east-1');"
        "print((p.memory_info().rss-a)/2**20)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def moto_round_trip() -> tuple[float, float, float]:
    """Seconds to store a 64 MB file, to stream it back, and the Python allocation peak (MB)."""
    from cadenza.adapters.blobs.s3 import S3BlobStore, S3Location, s3_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = s3_client(endpoint, "us-east-1", "bench", "bench-secret")
        for _ in range(100):
            try:
                client.create_bucket(Bucket="bench-blobs")
                break
            except Exception:
                time.sleep(0.1)
        store = S3BlobStore(client, S3Location("bench-blobs", "b"), part_bytes=8 * 2**20)
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "big.flac"
            with source.open("wb") as out:
                for _ in range(64):
                    out.write(os.urandom(2**20))
            tracemalloc.start()
            started = time.perf_counter()
            stored = store.put_file(source)
            put_s = time.perf_counter() - started
            started = time.perf_counter()
            read = sum(len(c) for c in store.read(stored.digest, 0, stored.size - 1))
            get_s = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert read == 64 * 2**20
        return put_s, get_s, peak / 2**20
    finally:
        server.terminate()
        server.wait(10)


def noop_call_us() -> float:
    """A Python call that does nothing: how busy the machine was (about 0.05 us when idle)."""
    import timeit

    return min(timeit.repeat(lambda: None, number=100_000, repeat=5)) * 10


def main() -> None:
    calibration = noop_call_us()
    bare = min(per_request_us(False) for _ in range(3))
    counted = min(per_request_us(True) for _ in range(3))
    put_s, get_s, peak = moto_round_trip()
    figures = {
        "counting_overhead_us": round(counted - bare, 2),
        "bare_request_us": round(bare, 2),
        "noop_call_us": round(calibration, 3),
        "boto3_client_mb": round(boto3_mb(), 1),
        "moto_put_64mb_s": round(put_s, 2),
        "moto_get_64mb_s": round(get_s, 2),
        "put_get_python_peak_mb": round(peak, 1),
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
    }
    notes = {
        "bare_request_us": "the same request without the wrapper (two sends)",
        "noop_call_us": "a Python call doing nothing: the machine's load (0.05 idle)",
        "counting_overhead_us": "per request: the metrics and request-id wrapper on a bare ASGI app",
        "boto3_client_mb": "resident memory boto3 and one S3 client add to a process",
        "moto_put_64mb_s": "put_file of 64 MB to moto_server on loopback (8 MB parts, copy)",
        "moto_get_64mb_s": "streaming the same 64 MB back",
        "put_get_python_peak_mb": "Python allocation peak over both: parts, never the file",
        "rss_mb": "this bench process at the end",
    }
    write_results("operations", figures, notes)


if __name__ == "__main__":
    main()
