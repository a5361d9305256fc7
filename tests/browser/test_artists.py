"""Cadenza for Artists in the web player: an account claims its artist profile and an admin
approves it on the editors' page; the artist edits the profile (bio, avatar) and sees it on the
public page; the artist pitches a coming track, the editors hear it and playlist it, and the
artist sees where. Each page is checked at 390 px for sideways overflow."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cadenza.cli_demo import DEMO_LABEL
from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer
from tests.browser.test_library_pages import operator
from tests.fixtures.audio import make_cover
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ADMIN = "admin@demo.cadenza.localhost"
STORY = "Written on a night bus home; the synths are a borrowed church organ."


def fits_a_phone(page: Page) -> None:
    """At 390 px wide, nothing makes the page scroll sideways."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide} px wider than a phone"
    if size:
        page.set_viewport_size(size)


def demo_label_artist(live: LiveServer) -> dict[str, Any]:
    """An artist of the first release the demo label delivered that no account speaks for yet
    (other tests ingest newer releases as the operator, so "the newest release" may belong to
    no distributor account; the demo artist account speaks for one of the demo's artists)."""
    with sqlite3.connect(live.data_dir / "cadenza.db") as db:
        artist_id, name = db.execute(
            "SELECT a.id, a.name FROM artists a"
            " JOIN release_artists ra ON ra.artist_id = a.id"
            " JOIN releases r ON r.id = ra.release_id"
            " JOIN distributors d ON d.id = r.distributor_id"
            " WHERE d.name = ? AND a.id NOT IN (SELECT artist_id FROM account_artists)"
            " ORDER BY r.id, ra.position LIMIT 1",
            (DEMO_LABEL,),
        ).fetchone()
    return {"id": artist_id, "name": name}


def test_a_claim_approved_by_an_admin_lets_the_artist_edit_the_public_page(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    artist = demo_label_artist(live)
    email = live.add_account("claimer@test.cadenza.localhost", "free")
    page = new_page()
    log_in(page, live, email)
    page.goto(f"/artist/{artist['id']}")
    page.get_by_role("link", name="Is this you? Claim this profile").click()
    expect(page.locator("main h1")).to_have_text("Claim your artist profile")
    expect(page.locator(".claim-picked")).to_contain_text(artist["name"])
    page.get_by_label("Who you are (for the reviewer)").fill("I play every instrument on it.")
    page.get_by_role("button", name="Send claim").click()
    claims = page.get_by_role("list", name="Your claims")
    expect(claims).to_contain_text("Waiting for review")
    fits_a_phone(page)

    label = new_page()  # the distributor that delivers the artist sees the claim
    log_in(label, live, "distributor@demo.cadenza.localhost")
    label.goto("/distributor")
    expect(label.get_by_role("list", name="Artist claims")).to_contain_text(
        "I play every instrument on it."
    )
    fits_a_phone(label)

    editor = new_page()
    log_in(editor, live, ADMIN)
    editor.goto("/admin/editorial")
    claim = editor.locator("li.claim", has_text="I play every instrument on it.")
    claim.get_by_role("button", name="Approve").click()
    expect(claim).to_have_count(0)

    page.reload()  # the account is an artist account now: its menu and pages say so
    expect(claims).to_contain_text("Approved")
    page.goto(f"/artist-dashboard/artist/{artist['id']}")
    expect(page.locator("main h1")).to_have_text(f"Edit {artist['name']}")
    page.get_by_label("About you (plain text)").fill("Night music, made <b>by hand</b>.")
    page.get_by_role("button", name="Save bio").click()
    expect(page.get_by_role("status").first).to_have_text("Bio saved.")
    avatar = tmp_path / "me.png"
    avatar.write_bytes(make_cover((640, 480), "PNG"))
    page.get_by_label("Avatar (square, 320 px)").set_input_files(avatar)
    expect(page.get_by_role("img", name="Your avatar (square, 320 px)")).to_be_visible()
    fits_a_phone(page)
    shoot(page, "artist-profile-editor")

    page.get_by_role("link", name="See your public page").click()
    expect(page.locator(".artist-bio")).to_have_text("Night music, made by hand.")
    expect(page.locator("img.cover.avatar")).to_be_visible()
    fits_a_phone(page)
    assert page.errors == [] and editor.errors == [] and label.errors == []  # type: ignore[attr-defined]


def test_a_pitched_track_is_heard_and_playlisted_and_the_artist_sees_where(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    out = (datetime.now(UTC) + timedelta(days=21)).date().isoformat()
    folder = make_release(
        tmp_path / "coming", title="Night Bus", artist="Pitch Testers", upc="123456789098",
        isrc_prefix="QZPIT26", formats=("mp3", "mp3"), extra={"release_date": out},
    )  # fmt: skip
    report = live.ingest(folder)
    release_id = int(report["release_id"])
    email = live.add_account("pitcher@test.cadenza.localhost", "free", "artist")
    with sqlite3.connect(live.data_dir / "cadenza.db") as db:  # not out yet: no public page
        (artist_id,) = db.execute("SELECT id FROM artists WHERE name = 'Pitch Testers'").fetchone()
    assert "Pitch Testers" in operator(live, "users", "link-artist", email, str(artist_id))

    page = new_page()
    log_in(page, live, email)
    page.goto(f"/artist-dashboard/pitch/{release_id}")
    expect(page.locator("main h1")).to_have_text("Pitch “Night Bus”")
    page.get_by_label("Track").select_option(label="Song 2")
    page.get_by_label("Genres (1 to 3, separated by commas)").fill("synthpop, indie")
    page.get_by_label("Moods (up to 5)").fill("nocturnal")
    page.get_by_label("The story of the song").fill(STORY)
    fits_a_phone(page)
    page.get_by_role("button", name="Send pitch").click()
    expect(page.locator(".pitch-sent")).to_contain_text("Song 2: waiting for the editors")

    editor = new_page()
    log_in(editor, live, ADMIN)
    editor.goto("/admin/editorial")
    editor.get_by_label("Playlist name").fill("Fresh Finds Test")
    editor.get_by_role("button", name="Create editorial playlist").click()
    expect(editor.get_by_role("list", name="Editorial playlists")).to_contain_text(
        "Fresh Finds Test"
    )
    pitch = editor.locator("li.pitch", has_text="Song 2 · Pitch Testers")
    expect(pitch).to_contain_text(STORY)
    pitch.get_by_role("button", name="Listen").click()
    expect(pitch.get_by_label("Listen to Song 2")).to_be_visible()
    fits_a_phone(editor)
    shoot(editor, "editorial-queue")
    pitch.get_by_label("Playlist for Song 2").select_option(label="Fresh Finds Test")
    pitch.get_by_role("button", name="Add to playlist").click()
    expect(pitch).to_have_count(0)

    page.reload()
    expect(page.locator(".pitch-sent")).to_contain_text("playlisted on Fresh Finds Test")
    page.goto("/search?q=fresh%20finds%20test")
    expect(page.locator("main")).to_contain_text("Fresh Finds Test")
    assert page.errors == [] and editor.errors == []  # type: ignore[attr-defined]


def test_a_distributor_pitches_a_coming_release_from_its_page_on_a_phone(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    out = (datetime.now(UTC) + timedelta(days=21)).date().isoformat()
    folder = make_release(
        tmp_path / "label", title="Harbour Lights", artist="Label Pitchers", upc="123456789111",
        isrc_prefix="QZLAB26", formats=("mp3", "mp3"), extra={"release_date": out},
    )  # fmt: skip
    live.ingest(folder, distributor=DEMO_LABEL)  # the demo distributor account's label
    label = new_page()
    label.set_viewport_size(PHONE)
    log_in(label, live, "distributor@demo.cadenza.localhost")
    label.goto("/distributor")
    coming = label.get_by_role("list", name="Coming releases").locator(
        "li", has_text="Harbour Lights"
    )
    fits_a_phone(label)
    coming.get_by_role("link", name="Pitch to editors").click()
    expect(label.locator("main h1")).to_have_text("Pitch “Harbour Lights”")  # the artist's form
    label.get_by_label("Track").select_option(label="Song 2")
    label.get_by_label("Genres (1 to 3, separated by commas)").fill("dream pop")
    label.get_by_label("The story of the song").fill(STORY)
    fits_a_phone(label)
    label.get_by_role("button", name="Send pitch").click()
    expect(label.locator(".pitch-sent")).to_contain_text("Song 2: waiting for the editors")
    label.get_by_role("link", name="Back to your releases").click()
    expect(coming).to_contain_text("Pitched Song 2: waiting for the editors")
    expect(coming.get_by_role("link", name="Pitch to editors")).to_have_count(0)

    editor = new_page()
    editor.set_viewport_size(PHONE)
    log_in(editor, live, ADMIN)
    editor.goto("/admin/editorial")
    editor.get_by_label("Playlist name").fill("Harbour Finds")
    editor.get_by_role("button", name="Create editorial playlist").click()
    pitch = editor.locator("li.pitch", has_text="Song 2 · Label Pitchers")
    pitch.get_by_label("Playlist for Song 2").select_option(label="Harbour Finds")
    pitch.get_by_role("button", name="Add to playlist").click()
    expect(pitch).to_have_count(0)
    playlist = editor.get_by_role("list", name="Editorial playlists").locator(
        "li", has_text="Harbour Finds"
    )
    playlist.get_by_role("button", name="Arrange").click()
    expect(editor.get_by_label("Place of Song 2")).to_have_value("1")
    fits_a_phone(editor)

    label.reload()
    expect(coming).to_contain_text("Pitched Song 2: playlisted on Harbour Finds")
    fits_a_phone(label)
    shoot(label, "distributor-pitches")
    assert label.errors == [] and editor.errors == []  # type: ignore[attr-defined]
