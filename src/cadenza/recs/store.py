"""The model's folder in the data dir: `models/recs/<version>/` (vectors, id maps, the nearest
neighbour index, a manifest) and a `current` file naming the one in service.

A new model is written in a temporary folder, flushed to disk, renamed into place, and only
then named in `current` (itself replaced by a rename): a training killed at any point leaves
the served model as it was. No numpy here: reading the manifest is cheap."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from cadenza.ports.recommendations import ModelInfo

MANIFEST = "manifest.json"
CURRENT = "current"
KEEP = 2  # versions kept: the one in service and the one before
DRAFT_PREFIX = ".draft-"


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models" / "recs"


def new_version(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def start_draft(root: Path, version: str) -> Path:
    """A temporary folder to write a model into (swept by the next training if left)."""
    root.mkdir(parents=True, exist_ok=True)
    draft = root / f"{DRAFT_PREFIX}{version}-{os.getpid()}"
    draft.mkdir()
    return draft


def publish(root: Path, draft: Path, version: str, manifest: dict[str, object]) -> Path:
    """Write the manifest, flush every file, rename the draft to its version, switch `current`
    to it, and forget old versions and abandoned drafts."""
    (draft / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for path in draft.iterdir():
        _fsync(path)
    _fsync(draft)
    final = root / version
    draft.rename(final)
    _fsync(root)
    pointer = root / f".{CURRENT}.{os.getpid()}.{secrets.token_hex(3)}"
    pointer.write_text(version + "\n")
    _fsync(pointer)
    pointer.replace(root / CURRENT)
    _fsync(root)
    _sweep(root, version)
    return final


def current(root: Path) -> tuple[str, Path] | None:
    """The version in service and its folder, if any."""
    try:
        version = (root / CURRENT).read_text().strip()
    except OSError:
        return None
    folder = root / version
    if not version or "/" in version or not (folder / MANIFEST).is_file():
        return None
    return version, folder


def read_info(folder: Path) -> ModelInfo:
    raw = json.loads((folder / MANIFEST).read_text())
    return ModelInfo(
        version=str(raw["version"]),
        trained_at=datetime.fromisoformat(str(raw["trained_at"])),
        listeners=int(raw["listeners"]),
        tracks=int(raw["tracks"]),
        counted_plays=int(raw["counted_plays"]),
    )


def _sweep(root: Path, keep_version: str) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in [v for v in versions if v.name != keep_version][: max(0, len(versions) - KEEP)]:
        shutil.rmtree(old, ignore_errors=True)
    for draft in root.glob(f"{DRAFT_PREFIX}*"):
        pid = draft.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(draft, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def adopt(root: Path, draft: Path, version: str) -> Path:
    """A version fetched whole into `draft` (its manifest included) put in service as
    `publish` does: renamed into place, then named in `current`."""
    if "/" in version or version.startswith(".") or not (draft / MANIFEST).is_file():
        raise ValueError(f"not a model version: {version!r}")
    for path in draft.iterdir():
        _fsync(path)
    final = root / version
    if final.exists():
        shutil.rmtree(draft, ignore_errors=True)
    else:
        draft.rename(final)
    _fsync(root)
    pointer = root / f".{CURRENT}.{os.getpid()}.{secrets.token_hex(3)}"
    pointer.write_text(version + "\n")
    _fsync(pointer)
    pointer.replace(root / CURRENT)
    _fsync(root)
    _sweep(root, version)
    return final
