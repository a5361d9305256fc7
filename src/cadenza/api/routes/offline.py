"""Offline downloads: download devices, the tracks kept on each, their download grants and the
check-in that renews a device's 30-day licence (Premium: 10,000 tracks on each of 5 devices)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Path, Query, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    BlobsDep,
    CurrentSession,
    DownloadGrantsDep,
    Id,
    OfflineDep,
    RipWatchDep,
)
from cadenza.api.granted_audio import blob_size
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.stream import AUDIO_RESPONSES
from cadenza.api.schemas import Page
from cadenza.api.stored_blob import stored_blob_response
from cadenza.domain.audio import Quality
from cadenza.domain.offline import MAX_TRACKS_PER_REQUEST, CheckIn, Download, DownloadDevice
from cadenza.services.download_grants import DownloadGrant

router = APIRouter(prefix="/api/v1", tags=["offline"])
TrackId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class DeviceIn(RequestBody):
    name: str = Field(min_length=1, max_length=100, pattern=r"\S")


class DeviceOut(BaseModel):
    id: int
    name: str
    tracks: int
    registered_at: datetime
    checked_in_at: datetime
    licence_expires_at: datetime
    licence_revoked: bool

    @classmethod
    def of(cls, d: DownloadDevice) -> DeviceOut:
        return cls(
            id=d.id,
            name=d.name,
            tracks=d.tracks,
            registered_at=d.registered_at,
            checked_in_at=d.checked_in_at,
            licence_expires_at=d.licence_expires_at,
            licence_revoked=d.revoked_at is not None,
        )


class DownloadsIn(RequestBody):
    release_id: int | None = Field(None, ge=1, le=2_147_483_647)
    track_ids: list[TrackId] = Field(default_factory=list, max_length=MAX_TRACKS_PER_REQUEST)
    quality: Quality | None = Field(None, description="at most this; by default the plan's best")


class DownloadGrantOut(BaseModel):
    track_id: int
    quality: Quality
    url: str
    media_type: str
    expires_at: datetime

    @classmethod
    def of(cls, g: DownloadGrant) -> DownloadGrantOut:
        return cls(
            track_id=g.track_id,
            quality=g.quality,
            url=f"/api/v1/downloads/{g.token}",
            media_type=g.media_type,
            expires_at=datetime.fromtimestamp(g.expires, UTC),
        )


class AddedOut(BaseModel):
    device: DeviceOut
    grants: list[DownloadGrantOut]


class DownloadOut(BaseModel):
    track_id: int
    quality: Quality
    added_at: datetime

    @classmethod
    def of(cls, d: Download) -> DownloadOut:
        return cls(track_id=d.track_id, quality=Quality(d.quality), added_at=d.added_at)


class DeletionOut(BaseModel):
    track_id: int
    reason: str


class CheckInOut(BaseModel):
    licence_expires_at: datetime | None = Field(description="null: the licence is revoked")
    delete_all: bool = Field(description="the plan ended: delete every downloaded file")
    keep: list[DownloadOut] = Field(description="everything the device may keep")
    delete: list[DeletionOut]

    @classmethod
    def of(cls, c: CheckIn) -> CheckInOut:
        return cls(
            licence_expires_at=c.licence_expires_at,
            delete_all=c.delete_all,
            keep=[DownloadOut.of(d) for d in c.keep],
            delete=[DeletionOut(track_id=t, reason=r.value) for t, r in c.delete],
        )


DEVICES = "/me/offline/devices"


@router.get(DEVICES, response_model=list[DeviceOut])
def devices(session: CurrentSession, offline: OfflineDep) -> list[DeviceOut]:
    return [DeviceOut.of(d) for d in offline.devices(session.account_id)]


@router.post(DEVICES, response_model=DeviceOut, status_code=201)
def register(body: DeviceIn, session: CurrentSession, offline: OfflineDep) -> DeviceOut:
    """A device that keeps downloads (403 `premium_required` on Free and Plus,
    `offline_limit_reached` past the plan's 5 devices)."""
    return DeviceOut.of(offline.register(session.account_id, body.name.strip()))


@router.delete(DEVICES + "/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove(device_id: Id, session: CurrentSession, offline: OfflineDep) -> None:
    """Frees the slot; the device's downloads are forgotten."""
    offline.remove(session.account_id, device_id)


@router.post(DEVICES + "/{device_id}/check-in", response_model=CheckInOut)
def check_in(device_id: Id, session: CurrentSession, offline: OfflineDep) -> CheckInOut:
    """Online again (at least every 30 days): the licence runs 30 days from now, and the answer
    lists what the device keeps and what it must delete (taken down, out of territory, or
    everything when the plan ended)."""
    return CheckInOut.of(offline.check_in(session.account_id, device_id))


@router.get(DEVICES + "/{device_id}/downloads", response_model=Page[DownloadOut])
def downloads(
    device_id: Id,
    session: CurrentSession,
    offline: OfflineDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Page[DownloadOut]:
    _, found = offline.downloads(session.account_id, device_id, limit, offset)
    following = None
    if len(found) == limit:
        query = urlencode({"limit": limit, "offset": offset + limit})
        following = f"/api/v1{DEVICES}/{device_id}/downloads?{query}"
    return Page[DownloadOut](
        items=[DownloadOut.of(d) for d in found], limit=limit, offset=offset, next=following
    )


@router.post(DEVICES + "/{device_id}/downloads", response_model=AddedOut)
def add_downloads(
    device_id: Id, body: DownloadsIn, session: CurrentSession, offline: OfflineDep
) -> AddedOut:
    """Keep a release (`release_id`) or tracks (`track_ids`) on the device, all or none, and
    get a download grant for each (403 `offline_limit_reached` past 10,000 tracks)."""
    added = offline.add(
        session.account_id,
        device_id,
        release_id=body.release_id,
        track_ids=body.track_ids,
        quality=body.quality,
    )
    return AddedOut(
        device=DeviceOut.of(added.device), grants=[DownloadGrantOut.of(g) for g in added.grants]
    )


@router.delete(
    DEVICES + "/{device_id}/downloads/{track_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_download(
    device_id: Id, track_id: Id, session: CurrentSession, offline: OfflineDep
) -> None:
    offline.remove_download(session.account_id, device_id, track_id)


@router.post(DEVICES + "/{device_id}/downloads/{track_id}/grant", response_model=DownloadGrantOut)
def regrant(
    device_id: Id, track_id: Id, session: CurrentSession, offline: OfflineDep
) -> DownloadGrantOut:
    """A fresh download grant for a track the device keeps."""
    return DownloadGrantOut.of(offline.grant(session.account_id, device_id, track_id))


@router.get("/downloads/{token}", response_class=FileResponse, responses=AUDIO_RESPONSES)
def download(
    token: Annotated[str, Path(max_length=600)],
    blobs: BlobsDep,
    download_grants: DownloadGrantsDep,
    offline: OfflineDep,
    rip_watch: RipWatchDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The file a download grant names, while the device's licence holds and it keeps the
    track (403 `offline_licence_revoked` once the plan has ended)."""
    grant = download_grants.check(token)
    offline.allows(grant)
    size = blob_size(blobs, grant.blob)
    account, seconds = grant.account_id, grant.duration_ms / 1000
    etag = f'"{grant.blob}"'
    headers = {"etag": etag, "cache-control": "private, max-age=86400"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return stored_blob_response(
        blobs,
        grant.blob,
        grant.media_type,
        headers,
        filename=f"{grant.track_id}-{grant.quality.value}.{grant.quality.extension}",
        on_sent=lambda sent: rip_watch.downloaded(account, sent, size, seconds),
    )
