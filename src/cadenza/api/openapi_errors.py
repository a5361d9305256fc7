"""The error answers each route can give, in the OpenAPI schema, with the error body's schema.

Written once here from what a route takes rather than on every route: inputs can be invalid
(422), a body can be too large (413), a signed-in route answers 401 without a valid token and
403 when the account may not, a path names an object that may not exist or not be yours (404),
a change can meet the current state (409), and sign-in and signed-in routes are rate limited
(429)."""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from cadenza.api import deps


# Every error answer's body (api/errors.py writes it): its schema, built with the document.
class FieldErrorOut(BaseModel):
    field: str = Field(description="Where: the field's path in the body, or the parameter")
    code: str
    message: str


class ErrorDetailOut(BaseModel):
    code: str = Field(description="Stable, for programs: e.g. `invalid_request`, `not_found`")
    message: str = Field(description="For people: what went wrong and what to do")
    file: str | None = Field(None, description="The delivered file at fault, if any")
    fields: list[FieldErrorOut] | None = Field(None, description="422: each invalid field")


class ErrorOut(BaseModel):
    """Every error answer's body."""

    error: ErrorDetailOut


_SIGNED_IN = {
    deps.current_session,
    deps.admin_session,
    deps.optional_session,
    deps.viewer,
    deps.delivering_distributor,
    deps.listing_distributor,
    deps.reading_distributor,
}
DESCRIPTIONS = {
    "401": "Not signed in, or the token is not valid (`authentication_required`, ...)",
    "403": "This account may not (role, plan or ownership)",
    "404": "No such object, or not one this account may see",
    "409": "The object's current state does not allow it",
    "413": "The body is over the route's limit (`request_too_large`, `upload_too_large`)",
    "422": "An invalid value (`invalid_request` with each field, or the rule's own code)",
    "429": "Too many attempts; `Retry-After` says when to try again",
}


def add_errors(schema: dict[str, Any], routes: list[APIRoute]) -> None:
    """Add each route's error answers to its operations in `schema` (FastAPI's document)."""
    _add_error_schema(schema)
    for route in routes:
        if route.include_in_schema:
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    _document(operation, route)


def error_statuses(route: APIRoute) -> set[str]:
    found: set[str] = set()
    flat = list(_all(route.dependant))
    if any(d.query_params or d.path_params or d.header_params or d.body_params for d in flat):
        found.add("422")
    if route.dependant.body_params:
        found.add("413")
    if route.dependant.path_params or any(d.path_params for d in flat):
        found.add("404")
    signed_in = any(d.call in _SIGNED_IN for d in flat)
    if signed_in:
        found |= {"401", "403", "404", "429"}
    if route.path_format.startswith("/api/v1/auth/"):
        found |= {"401", "429"}
    if signed_in and (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
        found.add("409")
    return found


def _document(operation: dict[str, Any], route: APIRoute) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(error_statuses(route)):
        answer = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
        answer["content"] = {"application/json": {"schema": {"$ref": _REF}}}


_REF = "#/components/schemas/ErrorOut"


def _add_error_schema(schema: dict[str, Any]) -> None:
    body = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(body.pop("$defs", {}))
    components["ErrorOut"] = body


def _all(dependant: Dependant) -> list[Dependant]:
    found = [dependant]
    for sub in dependant.dependencies:
        found.extend(_all(sub))
    return found
