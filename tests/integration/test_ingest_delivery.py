"""A distributor's delivery goes in whole, once, or not at all."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import av
import pytest

from cadenza.bootstrap import App
from cadenza.domain.audio import Quality
from cadenza.domain.errors import CadenzaError
from tests.fixtures.audio import make_audio, make_corrupt, make_long_flac
from tests.fixtures.releases import make_release
from tests.integration.helpers import counts, deliver, empty


def test_a_release_is_ingested_with_every_quality(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", formats=("flac", "mp3", "wav"))
    done = deliver(app, folder)
    with app.uow() as uow:
        release = uow.catalog.release(done.release_id)
    assert release is not None
    assert release.title == "Night Drive" and release.upc == "123456789012"
    assert [a.name for a in release.artists] == ["The Testers"]
    assert release.label == "Test Label" and release.copyright_lines[1] == "(P) 2020 Test Label"
    assert sorted(release.covers) == [64, 300, 640]
    flac, mp3, wav = release.tracks
    assert [t.isrc for t in release.tracks] == ["QZTST2600001", "QZTST2600002", "QZTST2600003"]
    assert {f.quality for f in flac.files} == set(Quality)
    assert {f.quality for f in wav.files} == set(Quality)
    assert Quality.LOSSLESS not in {f.quality for f in mp3.files}  # no fake lossless from an MP3
    assert abs(flac.duration_ms - 1500) < 60
    assert -40 < flac.loudness.integrated_lufs < 0
    very_high = flac.file(Quality.VERY_HIGH)
    assert very_high is not None and very_high.bitrate_kbps == 320
    with av.open(str(app.blobs.path_of(very_high.blob))) as decoded:
        assert decoded.streams.audio[0].codec_context.name == "opus"


def test_ingesting_the_same_release_twice_creates_nothing_new(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel")
    first = deliver(app, folder)
    before = counts(app)
    second = deliver(app, folder)
    assert second.release_id == first.release_id
    assert second.track_ids == first.track_ids
    assert counts(app) == before


def test_a_zip_delivery_works_like_a_folder(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", formats=("opus", "m4a"))
    archive = tmp_path / "delivery.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, f"Night Drive/{path.name}")
    done = deliver(app, archive, strict_cover=True)
    assert len(done.track_ids) == 2


def test_an_isrc_already_used_by_another_release_is_refused(app: App, tmp_path: Path) -> None:
    deliver(app, make_release(tmp_path / "a"))
    before = counts(app)
    other = make_release(tmp_path / "b", title="Other", upc="999999999999")
    with pytest.raises(CadenzaError) as refused:
        deliver(app, other)
    assert refused.value.code == "isrc_in_use"
    assert "QZTST2600001" in refused.value.message
    assert counts(app) == before


@pytest.mark.parametrize(
    ("breakage", "code"),
    [
        ("truncated", "audio_truncated"),
        ("garbage", "audio_corrupt"),
        ("text", "not_audio"),
        ("empty", "empty_file"),
    ],
)
def test_a_bad_file_refuses_the_whole_delivery_and_leaves_nothing(
    app: App, tmp_path: Path, breakage: str, code: str
) -> None:
    folder = make_release(tmp_path / "rel", formats=("flac", "flac", "flac"))
    bad = sorted(folder.glob("*.flac"))[1]
    make_corrupt(bad, breakage)
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert refused.value.file == bad.name
    assert refused.value.code in {code, "not_audio", "audio_corrupt"}
    assert empty(app)


def test_a_file_over_the_length_limit_is_refused(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", formats=("flac",))
    long = folder / "01 Song 1.flac"
    make_long_flac(long, hours=4)
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert refused.value.code == "too_long"
    assert empty(app)


def test_absurd_tags_are_refused(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", manifest=False)
    make_audio(folder / "02 Song 2.flac", "flac", tags={"title": "x" * 1_000_000})
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert refused.value.code == "tag_too_long"
    assert refused.value.file and "02 Song 2.flac" in refused.value.file
    assert empty(app)


def test_an_unknown_territory_is_refused(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", extra={"territories": ["GB", "QQ"]})
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert refused.value.code == "unknown_territory"
    assert refused.value.file == "release.json"
    assert empty(app)


@pytest.mark.parametrize("cover_size", [None, 300])
def test_a_distributor_delivery_needs_a_640px_cover(
    app: App, tmp_path: Path, cover_size: int | None
) -> None:
    folder = make_release(tmp_path / "rel", cover_size=cover_size)
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder, strict_cover=True)
    assert refused.value.code == ("cover_missing" if cover_size is None else "cover_too_small")
    assert refused.value.file == ("rel" if cover_size is None else "cover.jpg")
    assert empty(app)


@pytest.mark.parametrize("cover", ["none", "broken"])
def test_a_library_folder_without_a_usable_cover_gets_a_placeholder(
    app: App, tmp_path: Path, cover: str
) -> None:
    folder = make_release(tmp_path / "rel", cover_size=None if cover == "none" else 800)
    if cover == "broken":
        (folder / "cover.jpg").write_bytes(b"not a jpeg at all")
    done = deliver(app, folder)
    with app.uow() as uow:
        release = uow.catalog.release(done.release_id)
    assert release is not None and sorted(release.covers) == [64, 300, 640]


def test_release_json_and_files_must_agree(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel")
    manifest = json.loads((folder / "release.json").read_text())
    manifest["tracks"].append({"file": "04 Missing.flac", "title": "Missing"})
    (folder / "release.json").write_text(json.dumps(manifest))
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert (refused.value.code, refused.value.file) == ("missing_file", "04 Missing.flac")
    shutil.rmtree(folder)
    assert empty(app)


def test_a_redelivery_may_reorder_tracks_with_their_isrcs(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel")
    first = deliver(app, folder)
    manifest = json.loads((folder / "release.json").read_text())
    tracks = manifest["tracks"]
    tracks[0]["number"], tracks[2]["number"] = 3, 1
    manifest["tracks"] = [tracks[2], tracks[1], tracks[0]]
    (folder / "release.json").write_text(json.dumps(manifest))
    second = deliver(app, folder)
    with app.uow() as uow:
        release = uow.catalog.release(second.release_id)
    assert release is not None
    assert [t.isrc for t in release.tracks] == ["QZTST2600003", "QZTST2600002", "QZTST2600001"]
    assert sorted(second.track_ids) == sorted(first.track_ids)  # the same tracks, reordered


@pytest.mark.parametrize(
    "change",
    [
        {"release-date": "2030-01-01"},
        {"explicit": "false"},
        {"tracks": [{"file": "x", "number": 0}]},
    ],
)
def test_a_manifest_with_unknown_or_malformed_fields_is_refused(
    app: App, tmp_path: Path, change: dict[str, object]
) -> None:
    folder = make_release(tmp_path / "rel", extra=change)
    with pytest.raises(CadenzaError) as refused:
        deliver(app, folder)
    assert refused.value.code == "manifest_invalid"
    assert refused.value.file == "release.json"
    assert empty(app)
