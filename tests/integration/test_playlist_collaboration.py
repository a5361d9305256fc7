"""Playlist collaboration as a use case, straight on the service over a real unit of work
(SQLite or PostgreSQL, wired by bootstrap): who may edit, what an invite gives and for how
long, and what making a playlist private or not collaborative takes away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.errors import CadenzaError
from cadenza.services.playlists import Details
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def refused(call: object, *args: object) -> str:
    with pytest.raises(CadenzaError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.code


@pytest.fixture
def people(app: App) -> dict[str, int]:
    return {
        name: app.accounts.create(
            f"{name}@example.org", "a long and unusual phrase 7", roles=[Role.LISTENER]
        ).id
        for name in ("owner", "friend", "reader")
    }


def test_collaborators_edit_followers_read_and_the_owner_takes_rights_back(
    app: App, people: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracks = list(deliver(app, make_release(tmp_path / "r")).track_ids)
    owner, friend, reader = people["owner"], people["friend"], people["reader"]
    playlists = app.playlists
    mix = playlists.create(owner, "Road trip", collaborative=False, public=False)
    playlists.add(owner, mix.id, tracks[:1])

    # An invite to collaborate needs a collaborative playlist.
    assert refused(playlists.invite, owner, mix.id, True) == "playlist_not_collaborative"
    playlists.change(owner, mix.id, Details(collaborative=True))
    to_edit = playlists.invite(owner, mix.id, True)
    to_read = playlists.invite(owner, mix.id, False)
    assert refused(playlists.invite, friend, mix.id, False) == "not_found"  # not theirs

    playlists.accept(friend, to_edit)
    playlists.accept(reader, to_read)
    playlists.add(friend, mix.id, tracks[1:2])  # a collaborator edits
    assert refused(playlists.add, reader, mix.id, tracks[2:]) == "not_playlist_editor"
    seen = playlists.items(mix.id, reader, playlists.viewer(reader), 50, 0)
    assert [(i.entry.track_id, i.entry.added_by) for i in seen] == [
        (tracks[0], owner),
        (tracks[1], friend),
    ]

    # No longer collaborative: the collaborator is a follower, reading but not editing.
    playlists.change(owner, mix.id, Details(collaborative=False))
    assert refused(playlists.add, friend, mix.id, tracks[2:]) == "not_playlist_editor"
    playlists.get(mix.id, friend)  # still reads it: joined by invite
    playlists.get(mix.id, reader)

    # Revoked links stop working; an unrevoked one stops after its 30 days.
    fresh = playlists.invite(owner, mix.id, False)
    assert playlists.revoke_invites(owner, mix.id) == 3
    stranger = app.accounts.create(
        "late@example.org", "a long and unusual phrase 7", roles=[Role.LISTENER]
    ).id
    assert refused(playlists.accept, stranger, fresh) == "invite_not_found"
    later = playlists.invite(owner, mix.id, False)
    now = datetime.now(UTC)
    monkeypatch.setattr(app.clock, "now", lambda: now + timedelta(days=31))
    assert refused(playlists.accept, stranger, later) == "invite_expired"
    assert refused(playlists.get, mix.id, stranger) == "not_found"
