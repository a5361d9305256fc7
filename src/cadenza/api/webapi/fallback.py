"""Anything else under /v1: 404 in the Web API's shape (not the web player's page)."""

from __future__ import annotations

from fastapi import APIRouter

from cadenza.domain.errors import NotFound

router = APIRouter(include_in_schema=False)


@router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def not_found(rest: str) -> None:
    raise NotFound("Service not found", code="service_not_found")
