"""One Subsonic request as its handler sees it: who asks (an app credential's listener),
their parameters, and the helpers that turn service answers into Subsonic shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cadenza.api.subsonic import shapes
from cadenza.api.subsonic.params import Params
from cadenza.api.subsonic.render import Node
from cadenza.bootstrap import App
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.entitlements import Listener
from cadenza.services.app_access import AppIdentity


@dataclass
class Call:
    app: App
    who: AppIdentity
    params: Params
    client: str  # the app's name (`c`)
    ip: str | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def account_id(self) -> int:
        return self.who.account_id

    @cached_property
    def listener(self) -> Listener:
        return self.app.subscriptions.listener(self.account_id)

    @cached_property
    def viewer(self) -> Viewer:
        who = self.listener
        return Viewer(
            country=who.country,
            now=self.app.clock.now(),
            allow_explicit=who.allow_explicit,
            listener_id=self.account_id,
        )

    @property
    def listed_quality(self) -> Quality:
        """The file a song's size and type describe: what the plan streams by default."""
        return Quality.HIGH

    def marks(
        self,
        tracks: list[int] | None = None,
        releases: list[int] | None = None,
        artists: list[int] | None = None,
    ) -> shapes.Marks:
        wanted = {
            k: v for k, v in (("track", tracks), ("release", releases), ("artist", artists)) if v
        }
        if not wanted:
            return shapes.Marks()
        starred, rated = self.app.shelf.marks(self.account_id, wanted)
        return shapes.Marks(starred, rated)

    def songs(self, picked: list[tuple[TrackView, ReleaseView]]) -> list[Node]:
        marks = self.marks(tracks=[t.id for t, _ in picked])
        return [shapes.song(t, r, marks, self.listed_quality) for t, r in picked]

    def song_ids(self, track_ids: list[int]) -> list[Node]:
        return self.songs(self.app.shelf.songs(track_ids, self.viewer))

    def albums(self, releases: list[ReleaseView]) -> list[Node]:
        facts = self.app.shelf.album_facts([r.id for r in releases], self.viewer)
        marks = self.marks(releases=[r.id for r in releases])
        return [shapes.album(r, *facts[r.id], marks) for r in releases]

    def album_ids(self, release_ids: list[int]) -> list[Node]:
        return self.albums(self.app.shelf.releases(release_ids, self.viewer))
