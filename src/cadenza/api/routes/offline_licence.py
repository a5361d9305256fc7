"""What the installable web app (and any client) needs to keep downloads safely: the device's
licence with its key (AES-256-GCM, base64url), and the sha256 of each chunk of a download."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, Id, OfflineKeysDep
from cadenza.api.routes.offline import DEVICES, CheckInOut
from cadenza.services.offline_keys import ChunkManifest, Licence

router = APIRouter(prefix="/api/v1", tags=["offline"])
NO_STORE = {"cache-control": "no-store"}


class LicenceOut(CheckInOut):
    device_id: int
    checked_in_at: datetime
    key: str | None = Field(
        description="the device's AES-256-GCM key, base64url; null while the licence is revoked"
    )
    signed_licence: str | None = Field(
        description="`PAYLOAD.SIGNATURE` (base64url): the licence's dates as the server's clock "
        "set them (JSON), signed with Ed25519 over `cadenza offline licence\\0` + PAYLOAD; "
        "null while the licence is revoked"
    )
    licence_public_key: str = Field(description="the Ed25519 key that signs it, raw, base64url")

    @classmethod
    def of_licence(cls, licence: Licence) -> LicenceOut:
        key = base64.urlsafe_b64encode(licence.key).decode() if licence.key else None
        signed = None
        if licence.signed is not None:
            parts = (licence.signed.payload, licence.signed.signature)
            signed = ".".join(base64.urlsafe_b64encode(p).decode().rstrip("=") for p in parts)
        checked = CheckInOut.of(licence.check_in)
        return cls(
            **checked.model_dump(),
            device_id=licence.device.id,
            checked_in_at=licence.device.checked_in_at,
            key=key,
            signed_licence=signed,
            licence_public_key=base64.urlsafe_b64encode(licence.public_key).decode().rstrip("="),
        )


class ChunksOut(BaseModel):
    track_id: int
    blob: str = Field(description="the file's content address, as in stream URLs")
    size: int
    chunk_bytes: int
    sha256: list[str]

    @classmethod
    def of(cls, m: ChunkManifest) -> ChunksOut:
        return cls(
            track_id=m.grant.track_id,
            blob=m.grant.blob,
            size=m.size,
            chunk_bytes=m.chunk_bytes,
            sha256=list(m.sha256),
        )


@router.post(DEVICES + "/{device_id}/licence", response_model=LicenceOut)
def licence(
    device_id: Id, session: CurrentSession, keys: OfflineKeysDep, response: Response
) -> LicenceOut:
    """A check-in that also releases the device's key: the licence runs 30 days from now, or
    is revoked (`key` null, `delete_all` true) once the plan ended."""
    response.headers.update(NO_STORE)
    return LicenceOut.of_licence(keys.licence(session.account_id, device_id))


@router.get("/downloads/{token}/chunks", response_model=ChunksOut)
def chunks(
    token: Annotated[str, Path(max_length=600)], keys: OfflineKeysDep, response: Response
) -> ChunksOut:
    """The sha256 of each `chunk_bytes` range of the file a download grant names."""
    response.headers.update(NO_STORE)
    return ChunksOut.of(keys.chunks(token))
