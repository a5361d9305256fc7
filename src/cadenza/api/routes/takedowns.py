"""Taking releases down: a distributor its own, an admin any. Gone from listeners and search
at once; the distributor still sees it in its own list. DELETE puts it back."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from cadenza.api.deps import AdminSession, AppDep, DistributorId, Id
from cadenza.domain.catalog import ReleaseView

router = APIRouter(prefix="/api/v1", tags=["takedowns"])


class TakedownOut(BaseModel):
    id: int
    title: str
    taken_down: bool
    taken_down_at: datetime | None

    @classmethod
    def of(cls, r: ReleaseView) -> TakedownOut:
        return cls(
            id=r.id,
            title=r.title,
            taken_down=r.taken_down_at is not None,
            taken_down_at=r.taken_down_at,
        )


@router.post("/distributor/releases/{release_id}/takedown", response_model=TakedownOut)
def distributor_take_down(release_id: Id, app: AppDep, distributor: DistributorId) -> TakedownOut:
    """Withdraw one of this distributor's releases (404 for anyone else's)."""
    return TakedownOut.of(app.takedowns.take_down(release_id, distributor))


@router.delete("/distributor/releases/{release_id}/takedown", response_model=TakedownOut)
def distributor_restore(release_id: Id, app: AppDep, distributor: DistributorId) -> TakedownOut:
    return TakedownOut.of(app.takedowns.restore(release_id, distributor))


@router.post("/admin/releases/{release_id}/takedown", response_model=TakedownOut)
def admin_take_down(release_id: Id, session: AdminSession, app: AppDep) -> TakedownOut:
    """Withdraw any release (a rights claim, a court order)."""
    return TakedownOut.of(app.takedowns.take_down(release_id, None))


@router.delete("/admin/releases/{release_id}/takedown", response_model=TakedownOut)
def admin_restore(release_id: Id, session: AdminSession, app: AppDep) -> TakedownOut:
    return TakedownOut.of(app.takedowns.restore(release_id, None))
