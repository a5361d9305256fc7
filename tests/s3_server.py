"""A real S3-compatible server for the object-storage tests: moto's standalone server
(`moto_server`, from the dev dependencies) started on a free loopback port, once per test
process, and stopped after. Each test gets a bucket of its own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from cadenza.adapters.blobs.s3 import s3_client
from cadenza.config import Settings

KEY_ID, SECRET = "cadenza-test", "cadenza-test-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """http://127.0.0.1:PORT of a moto_server this test process started."""
    port = _free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def client_for(endpoint: str) -> Any:
    return s3_client(endpoint, "us-east-1", KEY_ID, SECRET)


def on_s3(settings: Settings, endpoint: str, delivery: str = "redirect") -> Settings:
    """These settings with blobs in a new bucket of the test server."""
    bucket = f"cadenza-{uuid.uuid4().hex[:12]}"
    client_for(endpoint).create_bucket(Bucket=bucket)
    return settings.model_copy(
        update={
            "blob_url": f"s3://{bucket}/blobs",
            "s3_endpoint_url": endpoint,
            "s3_access_key_id": KEY_ID,
            "s3_secret_access_key": SecretStr(SECRET),
            "s3_delivery": delivery,
            "s3_part_mb": 5,
        }
    )
