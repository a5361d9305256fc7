"""Every JSON request body derives from RequestBody, so each gets the strict JSON types and the
Unicode check: a new route cannot forget them."""

from __future__ import annotations

import typing

from fastapi.routing import APIRoute
from pydantic import BaseModel

from cadenza.api.lazy_routes import all_routers
from cadenza.api.request_body import RequestBody


def body_models(annotation: object) -> list[type[BaseModel]]:
    found = [annotation] if isinstance(annotation, type) else list(typing.get_args(annotation))
    return [m for m in found if isinstance(m, type) and issubclass(m, BaseModel)]


def test_every_json_body_is_a_request_body() -> None:
    bodies = [
        (route.path, model)
        for router in all_routers()
        for route in router.routes
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
        for model in body_models(param.field_info.annotation)
    ]
    assert len(bodies) > 40
    assert [f"{path} {m.__name__}" for path, m in bodies if not issubclass(m, RequestBody)] == []
