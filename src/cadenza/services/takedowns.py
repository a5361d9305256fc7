"""Taking a release down (and putting it back): its distributor, or an admin, withdraws it.

A taken-down release vanishes for listeners at once: its page, its tracks' streams, new
releases, and search, whose entries go in the same transaction as the takedown itself.
"""

from __future__ import annotations

from collections.abc import Callable

from cadenza.domain.catalog import ReleaseView
from cadenza.domain.errors import NotFound
from cadenza.ports import Clock, UnitOfWork


class Takedowns:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def take_down(self, release_id: int, distributor_id: int | None) -> ReleaseView:
        """distributor_id: the distributor asking (only its own releases); None: an admin."""
        return self._set(release_id, distributor_id, down=True)

    def restore(self, release_id: int, distributor_id: int | None) -> ReleaseView:
        return self._set(release_id, distributor_id, down=False)

    def _set(self, release_id: int, distributor_id: int | None, *, down: bool) -> ReleaseView:
        with self.uow() as uow:
            release = uow.catalog.release(release_id)
            # Another distributor's release is answered as unknown: no probing of ids.
            if release is None or distributor_id not in (None, release.distributor_id):
                raise NotFound(f"no release {release_id}")
            if (release.taken_down_at is not None) != down:
                uow.catalog.set_taken_down(release_id, self.clock.now() if down else None)
                uow.search.index_release(release_id)  # entries go (or come back) in this commit
            uow.commit()
            found = uow.catalog.release(release_id)
        assert found is not None
        return found
