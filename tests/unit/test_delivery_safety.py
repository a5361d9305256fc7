"""A hostile zip is refused before anything is written outside the work folder."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from cadenza.domain.errors import InvalidDelivery
from cadenza.ingest.source import ZipLimits, extract_zip, read_folder


def refused(archive: Path, into: Path, limits: ZipLimits = ZipLimits()) -> InvalidDelivery:
    into.mkdir(exist_ok=True)
    with pytest.raises(InvalidDelivery) as exc:
        extract_zip(archive, into, limits)
    return exc.value


def test_a_path_escaping_the_delivery_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../outside.txt", "gotcha")
    error = refused(archive, tmp_path / "out")
    assert error.code == "unsafe_zip_path"
    assert error.file == "evil.zip"
    assert not (tmp_path / "outside.txt").exists()


def test_a_symlink_in_a_zip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("cover.jpg")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    assert refused(archive, tmp_path / "out").code == "unsafe_zip_path"


def test_a_zip_bomb_is_refused_while_inflating(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("01.flac", b"\0" * (64 * 1024 * 1024))
    assert archive.stat().st_size < 200_000
    error = refused(archive, tmp_path / "out")
    assert error.code == "zip_bomb"
    written = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written < 64 * 1024 * 1024


def test_too_many_files_and_a_broken_zip_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(6):
            zf.writestr(f"{i}.mp3", b"x")
    assert refused(archive, tmp_path / "a", ZipLimits(max_files=5)).code == "too_many_files"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    assert refused(broken, tmp_path / "b").code == "bad_zip"


def test_a_folder_without_audio_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("liner notes")
    with pytest.raises(InvalidDelivery) as exc:
        read_folder(tmp_path)
    assert exc.value.code == "no_audio"


def test_a_zip_with_damaged_data_is_refused_by_name(tmp_path: Path) -> None:
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("01.flac", bytes(range(256)) * 400)
    data = bytearray(archive.read_bytes())
    data[60:90] = b"\xff" * 30  # inside the deflated stream
    archive.write_bytes(bytes(data))
    error = refused(archive, tmp_path / "out")
    assert error.code == "bad_zip"
    assert error.file == "damaged.zip"
