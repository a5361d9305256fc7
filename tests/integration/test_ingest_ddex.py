"""DDEX deliveries end to end: real ERN messages with tiny audio, into the catalog and out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import CadenzaError
from cadenza.domain.plans import Plan
from cadenza.ingest.ddex.batch import BatchReport, DdexBatch
from tests.fixtures.ddex import HERE, stage, stage_fuga_batch, without_image
from tests.integration.helpers import counts, empty

PASSWORD = "a long and unusual listening phrase"

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def run(app: App, path: Path) -> BatchReport:
    batch = DdexBatch(
        app.ingest_tools(),
        app.distributor_id("Test Distributor"),
        app.ddex.availability(),
        limits=app.zip_limits,
        strict_cover=False,
        now=NOW,
    )
    return batch.run(path)


def listener(country: str) -> Viewer:
    return Viewer(country=country, now=NOW)


def test_ern382_delivery_update_no_deal_and_purge(app: App, tmp_path: Path) -> None:
    first = run(app, stage("01_delivery.xml", tmp_path / "b1")).as_json()
    assert first["messages"][0]["status"] == "published", first
    release_id, track_ids = first["release_id"], first["track_ids"]
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
    assert release is not None
    assert (release.title, [a.name for a in release.artists]) == ("Example Album", ["DJ Theo"])
    assert release.label == "Iron Crown Music"
    assert release.tracks[0].isrc == "USRC12345678"
    assert release.copyright_lines == ("℗ Label Name",)
    assert release.territories == ("WORLDWIDE",)
    assert release.visible_to(listener("FR"))
    assert release.release_at == datetime(2023, 9, 2, tzinfo=UTC)  # the deal's start

    update = run(app, stage("02_update.xml", tmp_path / "b2")).as_json()
    assert (update["release_id"], update["track_ids"]) == (release_id, track_ids)
    with app.uow() as uow:
        updated = uow.catalog.release(release_id)
    assert updated is not None and updated.tracks[0].title == "Updated Example Song"

    ended = run(app, stage("04_no_deal.xml", tmp_path / "b4")).as_json()
    assert ended["messages"][0]["status"] == "taken_down"
    with app.uow() as uow:
        down = uow.catalog.release(release_id)
        history = uow.takedowns.takedown_history(release_id)
    assert down is not None and not down.visible_to(listener("FR"))
    assert len(down.tracks) == 1  # kept, for royalties
    assert history[0].action == "taken_down" and "deals have ended" in (history[0].reason or "")

    again = run(app, stage("01_delivery.xml", tmp_path / "b5")).as_json()
    assert again["messages"][0]["status"] == "published"
    with app.uow() as uow:
        back = uow.catalog.release(release_id)
    assert back is not None and back.visible_to(listener("FR"))  # restored by a current deal

    purge = run(app, stage("03_delete.xml", tmp_path / "b3")).as_json()
    assert purge["messages"][0] == {
        "file": "03_delete.xml",
        "message_id": "MessageID5680",
        "status": "taken_down",
        "acknowledged": True,
        "release_id": release_id,
        "track_ids": [],
    }
    with app.uow() as uow:
        purged = uow.catalog.release(release_id)
        actions = [e.action for e in uow.takedowns.takedown_history(release_id)]
    assert purged is not None and not purged.visible_to(listener("FR"))
    assert actions == ["taken_down", "restored", "taken_down"]


def test_a_release_without_an_image_gets_a_generated_cover(app: App, tmp_path: Path) -> None:
    text = without_image((HERE / "album_basic.xml").read_text())
    report = run(app, stage("album_basic.xml", tmp_path / "b", text=text)).as_json()
    assert report["messages"][0]["status"] == "published", report
    with app.uow() as uow:
        release = uow.catalog.release(report["release_id"])
    assert release is not None and release.covers  # the generated one, in every size


def test_fuga_batch_with_batch_complete_territories_and_md5(app: App, tmp_path: Path) -> None:
    report = run(app, stage_fuga_batch(tmp_path)).as_json()
    assert [m["status"] for m in report["messages"]] == ["published"], report
    with app.uow() as uow:
        release = uow.catalog.release(report["release_id"])
    assert release is not None
    assert release.upc == "8718857546047"
    assert [a.name for a in release.artists] == ["2pec Shakur", "2FUGA"]
    assert release.tracks[0].title == "All My Single (Sample Credited Version 1)"
    # Europe by the first deal, the rest of the world by the second (Europe excluded there).
    assert release.territories == ("WORLDWIDE",)
    assert release.copyright_lines == ("℗ FUGA FUGA HOW YOU GET SO FLY", "© FUGA Records")


def test_a_hash_mismatch_refuses_the_message_and_changes_nothing(app: App, tmp_path: Path) -> None:
    report = run(app, stage_fuga_batch(tmp_path, rehash=False)).as_json()
    (message,) = report["messages"]
    assert message["status"] == "error" and not message["acknowledged"]
    error = message["errors"][0]  # the audio's, then the image's
    assert error["file"] == "8718857546047/8718857546047.xml"
    assert error["xpath"].endswith("TechnicalSoundRecordingDetails/File")
    assert "MD5" in error["message"] and "5e2994cdd94f14a197283a00387ca451" in error["message"]
    assert empty(app)


def test_a_batch_complete_naming_a_missing_message_is_refused(app: App, tmp_path: Path) -> None:
    batch = stage_fuga_batch(tmp_path)
    (batch / "8718857546047" / "8718857546047.xml").unlink()
    report = run(app, batch).as_json()
    assert report["messages"][0]["status"] == "error"
    assert "not in the batch" in report["messages"][0]["errors"][0]["message"]
    assert empty(app)


def test_ern43_album_of_21_tracks(app: App, tmp_path: Path) -> None:
    report = run(app, stage("ern43/1_Audio.xml", tmp_path / "b", seconds=0.5)).as_json()
    assert report["messages"][0]["status"] == "published", report
    warnings = report["messages"][0].get("warnings", [])
    assert not any("subscription" in w for w in warnings)  # ad-supported streaming too
    with app.uow() as uow:
        release = uow.catalog.release(report["release_id"])
    assert release is not None
    assert release.upc == "00094631432057" and release.title == "Yume no Hajmari"
    assert release.release_type.value == "album" and release.label == "EMI MUSIC JAPAN INC."
    assert release.territories == ("JP",)
    assert [t.isrc for t in release.tracks][:2] == ["JPTO09404900", "JPTO09404910"]
    assert [t.track_number for t in release.tracks] == list(range(1, 22))
    assert release.visible_to(listener("JP")) and not release.visible_to(listener("FR"))


def test_one_broken_message_beside_a_good_one(app: App, tmp_path: Path) -> None:
    good = stage("01_delivery.xml", tmp_path / "batch" / "good")
    broken = (
        (HERE / "album_basic.xml")
        .read_text()
        .replace(
            "<DealReleaseReference>RL1</DealReleaseReference>",
            "<DealReleaseReference>RL9</DealReleaseReference>",
        )
    )
    broken = broken.replace("USRC12345678", "USRC12345679").replace(
        "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8S9T0", "ZZZ"
    )
    stage("album_basic.xml", tmp_path / "batch" / "bad", text=broken)
    report = run(app, good.parent.parent).as_json()
    by_file = {m["file"]: m for m in report["messages"]}
    assert by_file["good/01_delivery.xml"]["status"] == "published"
    bad = by_file["bad/album_basic.xml"]
    assert bad["status"] == "error"
    assert (
        bad["errors"][0]["xpath"]
        == "/ern:NewReleaseMessage/DealList/ReleaseDeal/DealReleaseReference"
    )
    assert counts(app)["releases"] == 1


def test_a_subscription_only_deal_plays_for_premium_and_not_for_free(
    app: App, tmp_path: Path
) -> None:
    text = (HERE / "01_delivery.xml").read_text().replace("FreeOfChargeModel", "SubscriptionModel")
    report = run(app, stage("01_delivery.xml", tmp_path / "b", text=text)).as_json()
    (message,) = report["messages"]
    assert message["status"] == "published", message
    track_id = report["track_ids"][0]
    free = app.accounts.create("free@example.org", PASSWORD, roles=[Role.LISTENER])
    paying = app.accounts.create("paying@example.org", PASSWORD, roles=[Role.LISTENER])
    app.subscriptions.grant(paying.id, Plan.PREMIUM_INDIVIDUAL)
    with pytest.raises(CadenzaError) as refused:
        app.stream_grants.grant(free.id, track_id, Quality.NORMAL)
    assert refused.value.code == "premium_only_release"
    assert app.stream_grants.grant(paying.id, track_id, Quality.NORMAL).url
    # The same release delivered again with ad-supported streaming opens it to Free too.
    run(app, stage("01_delivery.xml", tmp_path / "again"))
    assert app.stream_grants.grant(free.id, track_id, Quality.NORMAL).url


def test_a_zip_batch_and_corrupt_audio_changes_nothing(app: App, tmp_path: Path) -> None:
    import zipfile

    message = stage("01_delivery.xml", tmp_path / "b")
    flac = tmp_path / "b" / "resources" / "SoundRecording_001_001.flac"
    flac.write_bytes(flac.read_bytes()[:200])  # truncated audio: the pipeline refuses it
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (message, flac, tmp_path / "b" / "resources" / "Image_001_001.jpg"):
            zf.write(path, path.relative_to(tmp_path / "b").as_posix())
    report = run(app, archive).as_json()
    (error,) = report["messages"][0]["errors"]
    assert error["xpath"].endswith("TechnicalSoundRecordingDetails/File")
    assert empty(app)


def test_batches_side_by_side_each_manifest_covers_its_own_folder(app: App, tmp_path: Path) -> None:
    stage_fuga_batch(tmp_path / "in")
    stage("01_delivery.xml", tmp_path / "in" / "loose")  # no manifest: read as it is
    stage("album_basic.xml", tmp_path / "in" / "20240305090206405" / "stray")  # not listed
    report = run(app, tmp_path / "in").as_json()
    by_file = {m["file"]: m["status"] for m in report["messages"]}
    assert by_file == {
        "20240305090206405/8718857546047/8718857546047.xml": "published",
        "loose/01_delivery.xml": "published",
        "20240305090206405/stray/album_basic.xml": "error",
    }
    assert counts(app)["releases"] == 2
