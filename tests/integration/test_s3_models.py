"""The recommendation model shared through the bucket (a real moto_server): a version one
node trains is served by another node within a minute, from its own disk; a node that cannot
reach the store keeps the model it has."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cadenza.adapters.blobs.s3 import S3BlobStore, S3Location, s3_client
from cadenza.adapters.blobs.s3_folders import S3Folders
from cadenza.recs import store
from cadenza.recs.mirror import ModelMirror
from cadenza.recs.served import ServedModel
from tests.s3_server import client_for, s3_endpoint

__all__ = ["s3_endpoint"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def train_here(root: Path, version: str, plays: int) -> None:
    """What a training leaves: a version folder with its files and manifest, put in service."""
    draft = store.start_draft(root, version)
    (draft / "ids.json").write_text('{"tracks": [1, 2], "listeners": [7]}')
    (draft / "vectors.bin").write_bytes(bytes(range(256)) * 4096)  # 1 MiB of "vectors"
    manifest = {
        "version": version,
        "trained_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
        "listeners": 1,
        "tracks": 2,
        "counted_plays": plays,
    }
    store.publish(root, draft, version, manifest)


def folders(client: Any, bucket: str) -> S3Folders:
    return S3Folders(S3BlobStore(client, S3Location(bucket, "cadenza")), "models/recs")


def test_a_model_trained_on_one_node_is_served_by_another(s3_endpoint: str, tmp_path: Path) -> None:
    client = client_for(s3_endpoint)
    bucket = f"models-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    trainer_root, server_root = tmp_path / "node1" / "recs", tmp_path / "node2" / "recs"
    trainer = ModelMirror(folders(client, bucket), trainer_root)
    clock = Clock()
    served = ServedModel(
        server_root, refresh=ModelMirror(folders(client, bucket), server_root, clock=clock).refresh
    )
    assert served.info() is None  # nothing trained anywhere yet

    train_here(trainer_root, "v1", plays=120)
    trainer.published("v1")
    clock.now += 61
    info = served.info()
    assert info is not None and (info.version, info.counted_plays) == ("v1", 120)
    assert (server_root / "v1" / "vectors.bin").read_bytes() == bytes(range(256)) * 4096

    train_here(trainer_root, "v2", plays=300)
    trainer.published("v2")
    assert served.info().version == "v1"  # type: ignore[union-attr]  # looked a moment ago
    clock.now += 61
    assert served.info().version == "v2"  # type: ignore[union-attr]


def test_a_node_that_cannot_reach_the_store_keeps_its_model(tmp_path: Path) -> None:
    root = tmp_path / "recs"
    train_here(root, "v1", plays=80)
    unreachable = s3_client("http://127.0.0.1:9", "us-east-1", "k", "s")
    mirror = ModelMirror(folders(unreachable, "nowhere"), root)
    info = ServedModel(root, refresh=mirror.refresh).info()
    assert info is not None and info.version == "v1"
