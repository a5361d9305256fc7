"""Taking a release down (and putting it back): its distributor, or an admin, withdraws it.

A taken-down release vanishes for listeners at once: its page, its tracks' streams, new
releases, and search, whose entries go in the same transaction as the takedown itself. Each
change is recorded with who made it, when and why (the release's takedown history); an admin's
is also written to the admin's own security events, as their other admin actions are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.catalog import ReleaseView, TakedownEvent
from cadenza.domain.errors import NotFound
from cadenza.domain.events import ReleaseRestored, ReleaseTakenDown
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.messagebus import Publish, unheard


@dataclass(frozen=True)
class TakedownBy:
    """Who asks: an admin (their account id: any release) or a distributor (its own only)."""

    admin: int | None = None
    distributor: int | None = None

    def __str__(self) -> str:
        return (
            f"admin:{self.admin}" if self.admin is not None else f"distributor:{self.distributor}"
        )


class Takedowns:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, publish: Publish = unheard
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.publish = publish  # `ReleaseTakenDown`, `ReleaseRestored`

    def take_down(self, release_id: int, by: TakedownBy, reason: str | None = None) -> ReleaseView:
        return self._set(release_id, by, reason, down=True)

    def restore(self, release_id: int, by: TakedownBy, reason: str | None = None) -> ReleaseView:
        return self._set(release_id, by, reason, down=False)

    def history(self, release_id: int, admin: int) -> list[TakedownEvent]:
        """For admins: every takedown and restore of this release, newest first."""
        with self.uow() as uow:
            if uow.catalog.release(release_id) is None:
                raise NotFound(f"no release {release_id}")
            events = uow.takedowns.takedown_history(release_id)
            detail = {"release": str(release_id)}
            uow.audit.add(
                admin, AuditEvent("admin_read_takedowns", self.clock.now(), None, None, detail)
            )
            uow.commit()
        return events

    def _set(
        self, release_id: int, by: TakedownBy, reason: str | None, *, down: bool
    ) -> ReleaseView:
        reason = (reason or "").strip()[:500] or None
        changed = False
        with self.uow() as uow:
            release = uow.catalog.release(release_id)
            # Another distributor's release is answered as unknown: no probing of ids.
            if release is None or (by.admin is None and by.distributor != release.distributor_id):
                raise NotFound(f"no release {release_id}")
            if (release.taken_down_at is not None) != down:  # a repeat changes and records nothing
                now, changed = self.clock.now(), True
                action = "taken_down" if down else "restored"
                uow.takedowns.set_taken_down(release_id, now if down else None)
                uow.search.index_release(release_id)  # entries go (or come back) in this commit
                uow.takedowns.record_takedown(
                    TakedownEvent(release_id, action, now, str(by), reason)
                )
                if by.admin is not None:
                    detail = {"release": str(release_id), "title": release.title[:100]}
                    detail |= {"reason": reason} if reason else {}
                    event = AuditEvent(f"admin_release_{action}", now, None, None, detail)
                    uow.audit.add(by.admin, event)
            uow.commit()
            found = uow.catalog.release(release_id)
        assert found is not None
        if changed:
            self.publish(ReleaseTakenDown(release_id) if down else ReleaseRestored(release_id))
        return found
