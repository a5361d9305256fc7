"""The demo library generator: layout, release.json schema, audio, determinism, resume, styles."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date
from pathlib import Path

import av
import mutagen
import numpy as np
import pytest
from scipy import signal

from cadenza.demo import DemoSize, plan_library, render_track, style_names, write_demo_library
from cadenza.demo.layout import durations, gtin_check, release_shapes

TINY = DemoSize(artists=3, releases=4, tracks=10, min_seconds=2, max_seconds=4, mean_seconds=3)
SEED = 11
TODAY = date(2025, 1, 1)
ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
RELEASE_KEYS = {
    "title", "artists", "type", "upc", "label", "release_date", "territories", "explicit",
    "copyright", "genres", "tracks",
}  # fmt: skip
TRACK_KEYS = {
    "file", "title", "artists", "featured_artists", "isrc", "disc", "number", "genres", "explicit",
}  # fmt: skip


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_library(tmp_path_factory.mktemp("demo"), TINY, seed=SEED, today=TODAY)


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    return data


def tracks_of(folder: Path) -> list[dict[str, object]]:
    tracks: list[dict[str, object]] = manifest(folder)["tracks"]  # type: ignore[assignment]
    return tracks


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_one_folder_per_release_with_audio_cover_and_manifest(library: list[Path]) -> None:
    assert len(library) == TINY.releases
    for folder in library:
        names = {p.name for p in folder.iterdir()}
        assert {"cover.jpg", "release.json"} <= names
        assert not [n for n in names if n.endswith(".part")]
        assert names - {"cover.jpg", "release.json"} == {str(t["file"]) for t in tracks_of(folder)}
    assert sum(len(tracks_of(f)) for f in library) == TINY.tracks


def test_release_json_follows_the_delivery_schema(library: list[Path]) -> None:
    for folder in library:
        data = manifest(folder)
        assert set(data) == RELEASE_KEYS
        assert data["type"] in {"album", "single", "ep", "compilation"}
        assert re.fullmatch(r"\d{12,14}", str(data["upc"]))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", str(data["release_date"]))
        assert data["territories"] == "WORLDWIDE" or all(
            re.fullmatch(r"[A-Z]{2}", c)
            for c in data["territories"]  # type: ignore[attr-defined]
        )
        year = str(data["release_date"])[:4]
        assert data["copyright"] == [f"(C) {year} {data['label']}", f"(P) {year} {data['label']}"]
        assert isinstance(data["explicit"], bool)
        assert isinstance(data["genres"], list)
        for track in tracks_of(folder):
            assert set(track) == TRACK_KEYS
            assert (folder / str(track["file"])).is_file()
            assert isinstance(track["number"], int)
            assert isinstance(track["disc"], int)
        assert data["explicit"] == any(t["explicit"] for t in tracks_of(folder))


def test_identifiers_are_unique_and_well_formed(library: list[Path]) -> None:
    upcs = [str(manifest(f)["upc"]) for f in library]
    isrcs = [str(t["isrc"]) for f in library for t in tracks_of(f)]
    assert len(set(upcs)) == len(upcs)
    assert len(set(isrcs)) == len(isrcs)
    assert all(ISRC.match(i) for i in isrcs)
    assert all(gtin_check(u[:-1]) == u[-1] for u in upcs)


def test_every_file_decodes_at_its_planned_duration(library: list[Path]) -> None:
    plans = plan_library(TINY, SEED, TODAY)
    kinds = set()
    for plan, folder in zip(plans, library, strict=True):
        for track in plan.tracks:
            with av.open(str(folder / track.file)) as container:
                stream = container.streams.audio[0]
                frames = sum(f.samples for f in container.decode(stream))
                kinds.add((stream.codec_context.name, stream.rate, stream.channels))
            assert frames / stream.rate == pytest.approx(track.seconds, abs=0.03)
    assert {k[0] for k in kinds} >= {"flac", "mp3float"} or {k[0] for k in kinds} >= {"flac", "mp3"}
    assert {k[1] for k in kinds} == {44100, 48000}
    assert {k[2] for k in kinds} == {2}


def test_audio_files_carry_tags(library: list[Path]) -> None:
    for folder in library:
        data = manifest(folder)
        for track in tracks_of(folder):
            tags = mutagen.File(str(folder / str(track["file"])), easy=True)  # type: ignore[attr-defined]
            assert tags["title"] == [track["title"]]
            assert tags["artist"] == track["artists"]
            assert tags["album"] == [data["title"]]
            assert tags["isrc"] == [track["isrc"]]
            assert tags["tracknumber"][0].split("/")[0] == str(track["number"])
            assert tags["date"] == [str(data["release_date"])[:10]]
            assert tags["genre"] == track["genres"]


def test_same_seed_gives_identical_files(library: list[Path], tmp_path: Path) -> None:
    again = write_demo_library(tmp_path, TINY, seed=SEED, today=TODAY)
    assert [p.name for p in again] == [p.name for p in library]
    assert digests(tmp_path) == digests(library[0].parent)


def test_resume_rewrites_only_the_unfinished_release(library: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "lib"
    shutil.copytree(library[0].parent, copy)
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file()}
    victim = copy / library[1].name
    (victim / "release.json").unlink()
    calls: list[tuple[int, int]] = []
    write_demo_library(
        copy, TINY, seed=SEED, today=TODAY, on_track=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (TINY.tracks, TINY.tracks)
    assert len(calls) == TINY.tracks
    for path, mtime in before.items():
        assert (path.stat().st_mtime_ns == mtime) == (path.parent != victim), path
    assert digests(copy) == digests(library[0].parent)


def _high_share_and_flux(style: str, seed: int) -> tuple[float, float]:
    pcm = render_track(style, 10.0, seed=seed)
    mono = pcm.samples.astype(np.float64).mean(axis=1) / 32768.0
    freqs, power = signal.welch(mono, 44100, nperseg=4096)
    high = float(power[freqs > 4000].sum() / power.sum())
    _, _, spec = signal.stft(mono, 44100, nperseg=2048, noverlap=1024)
    mag = np.log1p(100.0 * np.abs(spec))
    flux = float(np.maximum(np.diff(mag, axis=1), 0).sum(axis=0).mean() / mag.sum(axis=0).mean())
    return high, flux


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ambient_and_techno_are_measurably_different(seed: int) -> None:
    ambient_high, ambient_flux = _high_share_and_flux("ambient", seed)
    techno_high, techno_flux = _high_share_and_flux("techno", seed)
    assert techno_high > 10 * ambient_high  # hats and acid vs dark pads
    assert techno_flux > 1.5 * ambient_flux  # percussive onsets vs slow swells


def test_every_style_renders_exactly_and_within_full_scale() -> None:
    assert len(style_names()) >= 8
    for style in style_names():
        pcm = render_track(style, 3.0, seed=5)
        assert pcm.samples.shape == (132300, 2)
        assert pcm.samples.dtype == np.int16
        assert 500 < np.abs(pcm.samples).max() < 32767
        hires = render_track(style, 1.0, seed=5, sample_rate=48000, bits=24)
        assert hires.samples.shape == (48000, 2)
        assert hires.samples.dtype == np.int32


def test_default_plan_has_the_promised_variety() -> None:
    plans = plan_library(DemoSize(), 7, TODAY)
    tracks = [t for p in plans for t in p.tracks]
    artists = {a for t in tracks for a in t.artists} | {a for t in tracks for a in t.featured}
    assert len(plans) == 60
    assert len(tracks) == 500
    assert len(artists) == 30
    assert sum(t.seconds for t in tracks) / 500 == pytest.approx(DemoSize().mean_seconds, abs=0.05)
    assert all(30.0 <= t.seconds <= 240.0 for t in tracks)
    assert max(t.seconds for t in tracks) > 220
    assert any(re.search(r"[\u0400-\u04ff]", a) for a in artists)
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", a) for a in artists)
    assert any(re.search(r"[éøüåï]", a) for a in artists)
    kinds = [p.kind for p in plans]
    assert kinds.count("compilation") == 1
    assert {"album", "ep", "single"} <= set(kinds)
    assert sum(p.release_date > TODAY for p in plans) == 1
    assert sum(bool(p.territories) for p in plans) >= 2
    mp3 = sum(len(p.tracks) for p in plans if p.audio == "mp3")
    assert 0.04 * 500 <= mp3 <= 0.1 * 500  # a few lossy sources
    assert any(p.audio == "flac24" for p in plans)
    assert len({t.style for t in tracks}) >= 8
    assert any(t.explicit for t in tracks)
    assert len({t.isrc for t in tracks}) == 500
    assert len({p.upc for p in plans}) == 60


@pytest.mark.parametrize(("releases", "tracks"), [(1, 1), (4, 10), (60, 500), (5, 100), (10, 11)])
def test_release_shapes_sum_to_the_track_count(releases: int, tracks: int) -> None:
    shapes = release_shapes(np.random.default_rng(0), releases, tracks)
    assert len(shapes) == releases
    assert sum(n for _, n in shapes) == tracks


def test_durations_hit_the_mean_within_bounds() -> None:
    values = durations(np.random.default_rng(3), 500, 30.0, 240.0, 40.0)
    assert min(values) >= 30.0
    assert max(values) <= 240.0
    assert np.mean(values) == pytest.approx(40.0, abs=0.01)
