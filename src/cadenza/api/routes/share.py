"""Shared links: `/track/ID`, `/release/ID`, `/artist/ID` and `/playlist/ID` open the web
player on that page, and their HTML carries Open Graph tags (title, description, cover) so
that chat apps, which do not run scripts, show a preview. Anything an anonymous visitor may
not see (a private playlist, an unreleased album) gets the bare shell, as a missing id does."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cadenza.api.deps import SettingsDep, SharePreviewsDep
from cadenza.api.web import shell, shell_with_head
from cadenza.services.share_previews import Shared

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647


def _page(kind: Shared) -> None:
    def page(
        item_id: str, request: Request, previews: SharePreviewsDep, settings: SettingsDep
    ) -> Response:
        number = int(item_id) if item_id.isascii() and item_id.isdigit() else 0
        preview = previews.preview(kind, number) if 1 <= number <= MAX_ID else None
        if preview is None:
            return shell(request)
        base = settings.public_url.rstrip("/")
        meta = {
            "og:site_name": "Cadenza",
            "og:type": preview.og_type,
            "og:title": preview.title,
            "og:description": preview.description,
            "og:url": f"{base}/{kind.value}/{number}",
        }
        if preview.cover:
            meta["og:image"] = f"{base}/api/v1/images/{preview.cover}"
        return shell_with_head(request, f"{preview.title} · Cadenza", meta)

    router.add_api_route(
        f"/{kind.value}/{{item_id}}", page, methods=["GET", "HEAD"], name=f"shared_{kind.value}"
    )


for _kind in Shared:
    _page(_kind)
