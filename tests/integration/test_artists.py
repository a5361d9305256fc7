"""Cadenza for Artists at the service level: claims of artist profiles, the artist's page, and
pitches to the editors with editorial playlists. Every object is checked for who may see and
change it. Releases are catalog rows without transcoding (tests/fixtures/catalog.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.artists import ClaimStatus, PitchDraft, PitchStatus
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import (
    EncodedAudio,
    PublishedTrack,
    ReleaseSpec,
    TrackSpec,
    TrackView,
    Viewer,
)
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.ingest.publish import Publication, publish
from cadenza.services.artist_claims import Decider
from cadenza.services.artist_pages import ImageKind
from cadenza.services.pitches import EDITORS_NAME, Pitcher
from tests.fixtures.catalog import put_release

PASSWORD = "a long and unusual listening phrase"
STORY = "Written on a night bus; the synths are a borrowed organ."


def account(app: App, email: str, *roles: Role) -> int:
    return app.accounts.create(email, PASSWORD, roles=[Role.LISTENER, *roles]).id


def link(app: App, account_id: int, artist_id: int) -> None:
    with app.uow() as uow:
        uow.artist_links.link_artist(account_id, artist_id, datetime.now(UTC))
        roles = [r.value for r in uow.accounts.get(account_id).roles]  # type: ignore[union-attr]
        uow.accounts.set_roles(account_id, sorted({*roles, Role.ARTIST.value}))
        uow.commit()


def artist_of(app: App, release_id: int) -> int:
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
    assert release is not None
    return release.artists[0].id


def upcoming(
    app: App, title: str, days: float, distributor: str = "Label A"
) -> tuple[int, list[int]]:
    """A release of two tracks by Nova Hart, out in `days` days (negative: out already), each
    track with a stored audio file (the editors listen to it)."""
    digest = app.blobs.put_bytes(f"OggS {title}".encode()).digest
    tracks = [
        PublishedTrack(
            spec=TrackSpec(title=f"{title} {n}", artists=["Nova Hart"], track_number=n),
            duration_ms=180_000,
            loudness=Loudness(-14.0, -1.0),
            source_blob=digest,
            source_format="flac",
            files=(EncodedAudio(Quality.NORMAL, digest, 10, 96),),
        )
        for n in (1, 2)
    ]
    spec = ReleaseSpec(
        title=title,
        artists=["Nova Hart"],
        release_at=datetime.now(UTC) + timedelta(days=days),
    )
    return publish(
        app.uow,
        Publication(
            distributor_id=app.distributor_id(distributor),
            source_key=f"Nova Hart/{title}",
            release=spec,
            covers={},
            tracks=tracks,
            replace_tracks=True,
        ),
    )


def picture(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, format=fmt)
    return out.getvalue()


# -- claims ----------------------------------------------------------------------------------
def test_the_artists_distributor_approves_a_claim_and_no_other_distributor_sees_it(
    app: App,
) -> None:
    release_id, _ = put_release(app, "First Light", ["Nova Hart"], ["Dawn"], distributor="Label A")
    artist = artist_of(app, release_id)
    label_a, label_b = app.distributor_id("Label A"), app.distributor_id("Label B")
    fan = account(app, "nova@example.org")

    claim = app.artist_claims.request(fan, artist, "I am <b>Nova</b>, ask my label")
    assert claim.status is ClaimStatus.PENDING and claim.message == "I am Nova, ask my label"
    assert [c.id for c in app.artist_claims.pending(Decider(distributor_id=label_a))] == [claim.id]
    assert app.artist_claims.pending(Decider(distributor_id=label_b)) == []
    with pytest.raises(NotFound):  # as if it did not exist: nothing leaks across distributors
        app.artist_claims.decide(Decider(distributor_id=label_b), claim.id, approve=True)
    with pytest.raises(Conflict):  # one pending claim per artist and account
        app.artist_claims.request(fan, artist, "again")

    decided = app.artist_claims.decide(Decider(distributor_id=label_a), claim.id, True, "ok")
    assert decided.status is ClaimStatus.APPROVED
    assert [c.status for c in app.artist_claims.mine(fan)] == [ClaimStatus.APPROVED]
    assert [p.id for p in app.artist_profiles.mine(fan)] == [artist]  # linked, artist role
    with pytest.raises(Conflict):
        app.artist_claims.decide(Decider(distributor_id=label_a), claim.id, approve=False)
    with pytest.raises(Conflict):  # linked already
        app.artist_claims.request(fan, artist, "")


def test_an_admin_decides_any_claim_and_a_listener_decides_none(app: App) -> None:
    release_id, _ = put_release(app, "First Light", ["Nova Hart"], ["Dawn"])
    artist = artist_of(app, release_id)
    fan = account(app, "fan@example.org")
    other = account(app, "other@example.org")
    admin = account(app, "editor@example.org", Role.ADMIN)
    with pytest.raises(NotFound):
        app.artist_claims.request(fan, 999_999, "")
    claim = app.artist_claims.request(fan, artist, "")
    with pytest.raises(Forbidden):
        app.artist_claims.pending(Decider(admin_id=other))
    with pytest.raises(Forbidden):
        app.artist_claims.decide(Decider(admin_id=other), claim.id, approve=True)
    assert app.artist_claims.mine(other) == []  # nobody else's claims

    rejected = app.artist_claims.decide(Decider(admin_id=admin), claim.id, False, "no proof")
    assert (rejected.status, rejected.note) == (ClaimStatus.REJECTED, "no proof")
    with pytest.raises(Forbidden):  # not linked, not an artist account
        app.artist_profiles.mine(fan)


# -- the artist's page -----------------------------------------------------------------------
def test_only_a_linked_artist_edits_the_page_and_the_pick_shows_when_out(app: App) -> None:
    out_id, out_tracks = put_release(app, "First Light", ["Nova Hart"], ["Dawn", "Dusk"])
    soon_id, _ = put_release(
        app, "Later", ["Nova Hart"], ["Soon"], released=datetime.now(UTC) + timedelta(days=30)
    )
    others_id, _ = put_release(app, "Not Hers", ["Someone Else"], ["Theirs"])
    artist = artist_of(app, out_id)
    nova = account(app, "nova@example.org")
    stranger = account(app, "stranger@example.org", Role.ARTIST)
    link(app, nova, artist)

    with pytest.raises(Forbidden):
        app.artist_pages.set_bio(stranger, artist, "I took over")
    page = app.artist_pages.set_bio(
        nova, artist, "  Nova <script>x</script>Hart\u202e\x00 makes\n\n\n\nnight music  "
    )
    assert page.bio == "Nova xHart makes\n\nnight music"
    with pytest.raises(InvalidRequest):
        app.artist_pages.set_bio(nova, artist, "a" * 1501)
    with pytest.raises(NotFound):  # another artist's release is no pick of hers
        app.artist_pages.set_pick(nova, artist, others_id, None, None)
    with pytest.raises(Forbidden):
        app.artist_pages.set_pick(stranger, artist, out_id, None, None)

    viewer = Viewer(country="US", now=datetime.now(UTC))
    app.artist_pages.set_pick(nova, artist, soon_id, None, "coming soon")
    assert app.artist_pages.public(artist, viewer).pick_release is None  # not out: not shown
    app.artist_pages.set_pick(nova, artist, None, out_tracks[1], "my favourite")
    shown = app.artist_pages.public(artist, viewer)
    assert shown.pick_track is not None and shown.pick_track[0].title == "Dusk"
    assert shown.page.pick_note == "my favourite" and shown.page.bio.startswith("Nova")


def test_images_are_checked_resized_and_kept_by_the_blob_sweep(app: App) -> None:
    release_id, _ = put_release(app, "First Light", ["Nova Hart"], ["Dawn"])
    artist = artist_of(app, release_id)
    nova = account(app, "nova@example.org")
    link(app, nova, artist)

    page = app.artist_pages.set_image(nova, artist, ImageKind.AVATAR, picture((800, 600)))
    page = app.artist_pages.set_image(nova, artist, ImageKind.HEADER, picture((2400, 900), "JPEG"))
    assert page.avatar and page.header
    for digest, size in ((page.avatar, (320, 320)), (page.header, (1500, 500))):
        with Image.open(app.blobs.path_of(digest)) as stored:
            assert (stored.format, stored.size) == ("JPEG", size)
    with app.uow() as uow:
        assert uow.artist_pages.blobs_in_use([page.avatar, "0" * 64]) == {page.avatar}
    for bad, code in (
        (b"GIF89a not allowed", "image_unreadable"),
        (picture((100, 100)), "image_too_small"),
    ):
        with pytest.raises(InvalidRequest) as refused:
            app.artist_pages.set_image(nova, artist, ImageKind.AVATAR, bad)
        assert refused.value.code == code
    assert app.artist_pages.page(artist).avatar == page.avatar  # a refusal changes nothing
    removed = app.artist_pages.set_image(nova, artist, ImageKind.AVATAR, None)
    assert removed.avatar is None and removed.header == page.header


# -- pitches and the editors -----------------------------------------------------------------
def test_pitch_rules_who_what_and_when(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    release_id, (first, _) = upcoming(app, "Nightbus", days=10)
    soon_id, (soon_track, _) = upcoming(app, "Too Soon", days=3)
    out_id, (out_track, _) = upcoming(app, "Out Now", days=-1)
    other_label_id, _ = upcoming(app, "Elsewhere", days=10, distributor="Label B")
    artist = artist_of(app, release_id)
    nova = account(app, "nova@example.org")
    listener = account(app, "listener@example.org")
    link(app, nova, artist)
    label_a, label_b = app.distributor_id("Label A"), app.distributor_id("Label B")
    draft = PitchDraft(first, ("Synthpop",), ("Nocturnal",), STORY)

    with pytest.raises(NotFound):  # not linked: the release is not there for them
        app.pitches.pitch(Pitcher(account_id=listener), release_id, draft)
    with pytest.raises(NotFound):  # another distributor's release
        app.pitches.pitch(Pitcher(distributor_id=label_b), release_id, draft)
    with pytest.raises(Conflict) as late:
        app.pitches.pitch(
            Pitcher(account_id=nova), soon_id, PitchDraft(soon_track, ("Pop",), (), STORY)
        )
    assert late.value.code == "pitch_too_late"
    with pytest.raises(Conflict) as out:
        app.pitches.pitch(
            Pitcher(distributor_id=label_a), out_id, PitchDraft(out_track, ("Pop",), (), STORY)
        )
    assert out.value.code == "already_released"
    with pytest.raises(InvalidRequest):  # a track of another release
        app.pitches.pitch(
            Pitcher(account_id=nova), release_id, PitchDraft(soon_track, ("Pop",), (), STORY)
        )
    with pytest.raises(InvalidRequest):  # a story is more than a word
        app.pitches.pitch(
            Pitcher(account_id=nova), release_id, PitchDraft(first, ("Pop",), (), "hi")
        )

    later = datetime.now(UTC) + timedelta(days=5)  # delivered in time, but pitched too late
    monkeypatch.setattr(app.clock, "now", lambda: later)
    with pytest.raises(Conflict):
        app.pitches.pitch(Pitcher(account_id=nova), release_id, draft)
    monkeypatch.undo()

    made = app.pitches.pitch(Pitcher(account_id=nova), release_id, draft)
    assert (made.track_id, made.status, made.playlisted_in) == (first, PitchStatus.PENDING, ())
    with pytest.raises(Conflict) as twice:  # one pitch per release, whoever pitches
        app.pitches.pitch(Pitcher(distributor_id=label_a), release_id, draft)
    assert twice.value.code == "already_pitched"
    assert [p.id for p in app.pitches.of_distributor(label_a)] == [made.id]
    assert app.pitches.of_distributor(label_b) == []
    assert app.pitches.form(Pitcher(distributor_id=label_b), other_label_id)[1] is None


def test_editors_listen_and_playlist_a_pitch_which_the_artist_then_sees(app: App) -> None:
    release_id, (first, _) = upcoming(app, "Nightbus", days=10)
    artist = artist_of(app, release_id)
    nova = account(app, "nova@example.org")
    listener = account(app, "listener@example.org")
    admin = account(app, "editor@example.org", Role.ADMIN)
    link(app, nova, artist)
    pitch = app.pitches.pitch(
        Pitcher(account_id=nova), release_id, PitchDraft(first, ("Synthpop",), (), STORY)
    )

    for refused in (
        lambda: app.pitches.queue(listener, PitchStatus.PENDING),
        lambda: app.pitches.review_audio(nova, pitch.id),
        lambda: app.pitches.create_playlist(nova, "Mine"),
        lambda: app.pitches.review(listener, pitch.id, None),
    ):
        with pytest.raises(Forbidden):
            refused()
    assert [p.id for p in app.pitches.queue(admin, PitchStatus.PENDING)] == [pitch.id]
    audio = app.pitches.review_audio(admin, pitch.id)
    assert app.blobs.exists(audio.blob)
    with pytest.raises(NotFound):  # the listeners' rules stay closed before the release
        app.catalog.track(first, Viewer(country="US", now=datetime.now(UTC), listener_id=listener))

    playlist = app.pitches.create_playlist(admin, "Fresh Finds", "New and unsigned")
    assert (playlist.editorial, playlist.public, playlist.owner_name) == (True, True, EDITORS_NAME)
    reviewed = app.pitches.review(admin, pitch.id, playlist.id)
    assert reviewed.status is PitchStatus.REVIEWED
    assert reviewed.playlisted_in == ((playlist.id, "Fresh Finds"),)
    assert app.pitches.queue(admin, PitchStatus.PENDING) == []
    seen = app.pitches.of_artist(nova, artist)
    assert [(p.id, p.playlisted_in) for p in seen] == [(pitch.id, ((playlist.id, "Fresh Finds"),))]
    with pytest.raises(Forbidden):
        app.pitches.of_artist(listener, artist)
    again = app.pitches.add_tracks(admin, playlist.id, [first])  # once per playlist
    assert again.total == 1
    emptied = app.pitches.remove_track(admin, playlist.id, first)
    assert emptied.total == 0 and app.pitches.of_artist(nova, artist)[0].playlisted_in == ()
    mine = app.playlists.create(listener, "Mine")
    with pytest.raises(NotFound):  # an ordinary playlist is no editorial one
        app.pitches.add_tracks(admin, mine.id, [first])


def test_a_distributor_lists_its_coming_releases_with_what_it_may_pitch(app: App) -> None:
    release_id, (first, _) = upcoming(app, "Nightbus", days=10)
    soon_id, _ = upcoming(app, "Too Soon", days=3)
    upcoming(app, "Out Now", days=-1)
    other_id, _ = upcoming(app, "Elsewhere", days=10, distributor="Label B")
    label_a, label_b = app.distributor_id("Label A"), app.distributor_id("Label B")

    listed = [(c.release_id, c.pitch, ok) for c, ok in app.pitches.coming(label_a)]
    assert listed == [(soon_id, None, False), (release_id, None, True)]  # soonest first
    assert [c.release_id for c, _ in app.pitches.coming(label_b)] == [other_id]

    made = app.pitches.pitch(
        Pitcher(distributor_id=label_a), release_id, PitchDraft(first, ("Pop",), (), STORY)
    )
    after = {c.release_id: (c.pitch, ok) for c, ok in app.pitches.coming(label_a)}
    assert after[release_id] == (made, False)  # pitched: shown with its status, not again


def test_only_admins_move_tracks_of_an_editorial_playlist(app: App) -> None:
    _, (a1, a2) = upcoming(app, "Nightbus", days=10)
    _, (b1, b2) = upcoming(app, "Daylight", days=-1)
    admin = account(app, "editor@example.org", Role.ADMIN)
    listener = account(app, "listener@example.org")
    playlist = app.pitches.create_playlist(admin, "Fresh Finds")
    app.pitches.add_tracks(admin, playlist.id, [a1, a2, b1, b2])

    def order(tracks: list[TrackView]) -> list[int]:
        return [t.id for t in tracks]

    assert order(app.pitches.move_track(admin, playlist.id, b2, 0)) == [b2, a1, a2, b1]
    assert order(app.pitches.move_track(admin, playlist.id, b2, 1)) == [a1, b2, a2, b1]  # down
    assert order(app.pitches.move_track(admin, playlist.id, a1, 3)) == [b2, a2, b1, a1]
    assert order(app.pitches.move_track(admin, playlist.id, a1, 3)) == [b2, a2, b1, a1]
    assert order(app.pitches.playlist_tracks(admin, playlist.id)) == [b2, a2, b1, a1]
    with app.uow() as uow:  # as every listener sees it
        assert uow.playlist_entries.track_ids(playlist.id) == [b2, a2, b1, a1]

    with pytest.raises(Forbidden):
        app.pitches.move_track(listener, playlist.id, a1, 0)
    with pytest.raises(Forbidden):
        app.pitches.playlist_tracks(listener, playlist.id)
    with pytest.raises(InvalidRequest) as far:
        app.pitches.move_track(admin, playlist.id, a1, 4)
    assert far.value.code == "position_out_of_range"
    app.pitches.remove_track(admin, playlist.id, b1)
    with pytest.raises(NotFound) as gone:
        app.pitches.move_track(admin, playlist.id, b1, 0)
    assert gone.value.code == "track_not_in_playlist"
    mine = app.playlists.create(listener, "Mine")
    with pytest.raises(NotFound):  # an ordinary playlist is no editorial one
        app.pitches.move_track(admin, mine.id, a1, 0)
