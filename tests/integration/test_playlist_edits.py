"""Playlist edits in the database: removes and reorders are set-based statements (only the
places in between move), so a long series of them must leave exactly the order that the pure
list rules give, with positions still numbered 0..n-1."""

from __future__ import annotations

import random

from sqlalchemy import select

from cadenza.adapters.db.models_collection import PlaylistEntryRow
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.playlists import move, remove
from tests.fixtures.catalog import put_release


def test_random_adds_removes_and_reorders_keep_the_order_the_rules_give(app: App) -> None:
    _, tracks = put_release(app, "Many Songs", ["The Editors"], [f"Song {i}" for i in range(12)])
    me = app.accounts.create(
        "ed@example.org", "an editor's long pass phrase", roles=[Role.LISTENER]
    )
    playlist = app.playlists.create(me.id, "Shuffled by hand").id
    app.playlists.add(me.id, playlist, tracks + tracks[:4])  # duplicates too
    model = tracks + tracks[:4]
    pick = random.Random(20261126)
    for _ in range(60):
        size = len(model)
        action = pick.choice(["move", "move", "remove_at", "remove_all", "add"])
        if action == "move" and size > 1:
            start = pick.randrange(size)
            length = pick.randint(1, size - start)
            before = pick.randint(0, size)
            app.playlists.reorder(me.id, playlist, start, length, before)
            model = move(model, start, length, before)
        elif action == "remove_at" and size > 2:
            places = pick.sample(range(size), 2)
            picks: list[tuple[int, int | None]] = [(model[p], p) for p in places]
            app.playlists.remove(me.id, playlist, picks)
            model = remove(model, dict(enumerate(model)), picks)
        elif action == "remove_all" and size > 2:
            every: list[tuple[int, int | None]] = [(pick.choice(model), None)]
            app.playlists.remove(me.id, playlist, every)
            model = remove(model, dict(enumerate(model)), every)
        else:
            added = pick.sample(tracks, 3)
            at = pick.randint(0, size)
            app.playlists.add(me.id, playlist, added, position=at)
            model = model[:at] + added + model[at:]
        with app.uow() as uow:
            assert uow.playlist_entries.track_ids(playlist) == model
        playlist_now, _ = app.playlists.get(playlist, me.id)
        assert playlist_now.total == len(model)
    with app.engine.connect() as db:
        positions = db.scalars(
            select(PlaylistEntryRow.position)
            .where(PlaylistEntryRow.playlist_id == playlist)
            .order_by(PlaylistEntryRow.position)
        ).all()
    assert positions == list(range(len(model)))
