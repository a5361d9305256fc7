"""Distributors deliver releases: upload, poll the status, list what they delivered."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status

from cadenza.api.deps import (
    CatalogDep,
    DdexDep,
    DeliveriesDep,
    DistributorId,
    ReadingDistributorId,
    SettingsDep,
)
from cadenza.api.errors import excerpt
from cadenza.api.schemas import DdexBatchOut, DeliveryOut, Page, ReleaseSummaryOut
from cadenza.api.uploads import plain_file_name
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports.deliveries import Delivery

router = APIRouter(prefix="/api/v1/distributor", tags=["distributor"])


@router.post("/releases", status_code=status.HTTP_202_ACCEPTED, response_model=DeliveryOut)
def deliver_release(
    settings: SettingsDep,
    deliveries: DeliveriesDep,
    distributor: DistributorId,
    files: Annotated[
        list[UploadFile],
        File(description="A .zip of the release, or its audio files, cover.jpg and release.json"),
    ],
) -> DeliveryOut:
    """Accept a delivery; it is validated and transcoded in the background. Poll `status_url`."""
    if len(files) > settings.max_files_per_delivery:
        raise InvalidDelivery(
            f"{len(files)} files; at most {settings.max_files_per_delivery} per delivery",
            code="too_many_files",
        )
    delivery_id, folder = deliveries.upload_dir()
    _save_uploads(files, folder)
    return delivery_out(deliveries.submit(delivery_id, distributor))


@router.post("/ddex", response_model=DdexBatchOut)
def deliver_ddex(
    settings: SettingsDep,
    ddex: DdexDep,
    distributor: DistributorId,
    files: Annotated[
        list[UploadFile],
        File(description="A .zip of a DDEX batch (ERN 4.3 or 3.8.2 messages and their files)"),
    ],
) -> DdexBatchOut:
    """Ingest a DDEX batch now; answer each message with an acknowledgement or its errors
    (file, XPath, message). A refused message changes nothing."""
    if len(files) > settings.max_files_per_delivery:
        raise InvalidDelivery(
            f"{len(files)} files; at most {settings.max_files_per_delivery} per delivery",
            code="too_many_files",
        )
    folder = ddex.upload_dir()
    _save_uploads(files, folder)
    return DdexBatchOut.model_validate(ddex.deliver(folder, distributor).as_json())


def _save_uploads(files: list[UploadFile], folder: Path) -> None:
    try:
        for upload in files:
            name = plain_file_name(upload.filename)
            if name is None:
                raise InvalidDelivery(
                    "every file needs a plain name of at most 255 bytes, without control "
                    "characters",
                    code="bad_file_name",
                    file=excerpt(upload.filename, 80),
                )
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1 << 20)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def delivery_status(
    delivery_id: str, deliveries: DeliveriesDep, distributor: ReadingDistributorId
) -> DeliveryOut:
    return delivery_out(deliveries.status(delivery_id, distributor))


@router.get("/releases", response_model=Page[ReleaseSummaryOut])
def my_releases(
    catalog: CatalogDep,
    distributor: ReadingDistributorId,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[ReleaseSummaryOut]:
    """Everything this distributor delivered, released or not, in every territory."""
    releases = catalog.distributor_releases(distributor, limit, offset)
    following = None
    if len(releases) == limit:
        following = f"/api/v1/distributor/releases?limit={limit}&offset={offset + limit}"
    return Page[ReleaseSummaryOut](
        items=[ReleaseSummaryOut.of(r) for r in releases],
        limit=limit,
        offset=offset,
        next=following,
    )


def delivery_out(d: Delivery) -> DeliveryOut:
    error = None
    if d.error_code:
        error = {"code": d.error_code, "message": d.error_message, "file": d.error_file}
    return DeliveryOut(
        id=d.id,
        status=d.status,
        stage=d.stage,
        progress=d.progress,
        status_url=f"/api/v1/distributor/deliveries/{d.id}",
        release_id=d.release_id,
        track_ids=d.track_ids,
        error=error,
    )
