"""Stage `read`: open a delivery (a folder or a .zip) and list what it holds."""

from __future__ import annotations

import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.lyrics import MAX_LYRICS_CHARS

AUDIO_EXTENSIONS = frozenset(
    [
        ".mp3",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".m4a",
        ".mp4",
        ".aac",
        ".alac",
        ".wav",
        ".wave",
        ".aif",
        ".aiff",
        ".aifc",
    ]
)
COVER_NAMES = ("cover", "folder", "front", "album", "artwork")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MANIFEST = "release.json"
# A zip that inflates past this ratio is refused as a bomb, whatever its headers say.
MAX_COMPRESSION_RATIO = 200
# What a damaged, encrypted or exotic zip raises while being read.
_UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)


@dataclass(frozen=True)
class ZipLimits:
    max_files: int = 500
    max_bytes: int = 4 * 1024**3


@dataclass
class DeliveryFiles:
    """What one release folder holds: its audio, its cover image and its manifest."""

    root: Path
    audio: list[Path] = field(default_factory=list)
    cover: Path | None = None
    manifest: Path | None = None


def is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS


def read_folder(root: Path, max_files: int = 500) -> DeliveryFiles:
    """The files directly in a release folder, in name order."""
    if not root.is_dir():
        raise InvalidDelivery(f"{root} is not a folder or a .zip", code="not_found", file=str(root))
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    delivery = DeliveryFiles(root=root, audio=[p for p in files if is_audio(p)])
    delivery.manifest = next((p for p in files if p.name.lower() == MANIFEST), None)
    delivery.cover = find_cover(files)
    if not delivery.audio:
        raise InvalidDelivery("the delivery holds no audio file", code="no_audio", file=root.name)
    if len(delivery.audio) > max_files:
        raise InvalidDelivery(
            f"{len(delivery.audio)} audio files; at most {max_files} per release",
            code="too_many_files",
            file=root.name,
        )
    return delivery


def lrc_beside(audio: Path) -> str | None:
    """The lyrics in an LRC file named as the audio file (`01 Song.lrc` beside `01 Song.flac`),
    as music libraries keep them; None when there is none or it is too big to be lyrics."""
    for suffix in (".lrc", ".LRC", ".Lrc"):
        path = audio.with_suffix(suffix)
        try:
            if not path.is_file() or path.stat().st_size > 4 * MAX_LYRICS_CHARS:
                continue
            return path.read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            continue
    return None


def find_cover(files: list[Path]) -> Path | None:
    images = [p for p in files if p.suffix.lower() in IMAGE_EXTENSIONS]
    for name in COVER_NAMES:
        for image in images:
            if image.stem.lower() == name:
                return image
    return images[0] if len(images) == 1 else None


def extract_zip(archive: Path, into: Path, limits: ZipLimits) -> Path:
    """Unpack safely: no paths outside `into`, no links, bounded count and size (zip bombs)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > limits.max_files:
                raise InvalidDelivery(
                    f"the zip holds {len(members)} files; at most {limits.max_files} are accepted",
                    code="too_many_files",
                    file=archive.name,
                )
            budget = min(limits.max_bytes, max(archive.stat().st_size, 1) * MAX_COMPRESSION_RATIO)
            for member in members:
                target = into / _safe_member_path(member, archive.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_bounded(zf, member, target, budget, archive.name)
    except _UNREADABLE_ZIP as exc:
        raise InvalidDelivery(
            f"not a readable zip ({type(exc).__name__}: {exc})", code="bad_zip", file=archive.name
        ) from exc
    return _release_root(into)


def _safe_member_path(member: zipfile.ZipInfo, archive: str) -> PurePosixPath:
    name = PurePosixPath(member.filename.replace("\\", "/"))
    is_link = stat.S_ISLNK(member.external_attr >> 16)
    if name.is_absolute() or ".." in name.parts or is_link or not name.parts:
        raise InvalidDelivery(
            f"unsafe path in zip: {member.filename!r}", code="unsafe_zip_path", file=archive
        )
    return name


def _copy_bounded(
    zf: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int, archive: str
) -> int:
    written = 0
    with zf.open(member) as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > budget:
                raise InvalidDelivery(
                    "the zip inflates far beyond its size (a zip bomb?); refused",
                    code="zip_bomb",
                    file=archive,
                )
            dst.write(chunk)
    return written


def _release_root(into: Path) -> Path:
    """A zip often wraps its files in one folder: descend into it."""
    entries = [p for p in into.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return into


def open_delivery(path: Path, work: Path, limits: ZipLimits) -> DeliveryFiles:
    """Stage `read` for a delivery: a folder as is, a zip unpacked into `work`."""
    if path.is_file() and path.suffix.lower() == ".zip":
        unpacked = work / "unpacked"
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        return read_folder(extract_zip(path, unpacked, limits), limits.max_files)
    return read_folder(path, limits.max_files)
