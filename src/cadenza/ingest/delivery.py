"""A distributor's delivery: one release in a folder or a .zip, all or nothing."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cadenza.domain.catalog import MIN_DELIVERY_COVER_PX
from cadenza.ingest.pipeline import (
    IngestedRelease,
    IngestTools,
    Progress,
    ReleaseIngest,
    ReleaseSource,
)
from cadenza.ingest.source import ZipLimits, open_delivery


def ingest_delivery(
    tools: IngestTools,
    path: Path,
    distributor_id: int,
    *,
    limits: ZipLimits,
    strict_cover: bool,
    progress: Progress | None = None,
    on_start: Progress | None = None,
    delivered_at: datetime | None = None,
) -> IngestedRelease:
    """Stage `read` (unpack), then the release pipeline. `strict_cover`: a distributor's upload
    must carry a cover of at least 640x640; a self-hoster's folder gets a placeholder. A release
    that gives no date (release.json nor tags) is dated `delivered_at`, by default now."""
    work = tools.work_dir / f"delivery-{uuid.uuid4().hex}"
    try:
        files = open_delivery(path, work, limits)
        source = ReleaseSource(
            name=files.root.name if files.root != work / "unpacked" else path.stem,
            files=files.audio,
            manifest=files.manifest,
            cover=files.cover,
            atomic=True,
            min_cover_px=MIN_DELIVERY_COVER_PX if strict_cover else 1,
            cover_required=strict_cover,
            distributor_id=distributor_id,
            delivered_at=delivered_at or datetime.now(UTC),
        )
        if on_start:
            on_start(len(files.audio))
        return ReleaseIngest(tools).run(source, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
