"""Request bodies as the client sent them: each value of the JSON type its field names (no
boolean taken for a number, no number for text, no text for a number) and valid Unicode text
(no lone surrogate, no NUL).

Pydantic's own strict mode refuses ISO dates and enum values given as JSON text when FastAPI
validates the parsed body, so the JSON types are checked here, before pydantic's conversions.
"""

from __future__ import annotations

import types
from datetime import date, datetime, time
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

_JSON_NAMES = {bool: "a boolean", int: "a number", float: "a number", str: "text"}
_JSON_NAMES |= {list: "a list", dict: "an object", type(None): "null"}


class RequestBody(BaseModel):
    """The base of every JSON request body."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        errors: list[InitErrorDetails] = []
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key in data:
                _check(field.annotation, data[key], (key,), errors)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


def _check(annotation: Any, value: Any, loc: tuple[str | int, ...], errors: list[Any]) -> None:
    if isinstance(value, str) and _has_lone_surrogate(value):
        message = "text must be valid Unicode (a lone surrogate was sent)"
        errors.append(_error("invalid_unicode", message, loc))
        return
    if isinstance(value, str) and "\x00" in value:  # no database keeps it in text (PostgreSQL)
        errors.append(_error("invalid_unicode", "text must not contain a NUL character", loc))
        return
    kinds = json_kinds(annotation)
    if kinds is not None and type(value) not in kinds:
        expected = " or ".join(dict.fromkeys(_JSON_NAMES[k] for k in kinds))
        got = _JSON_NAMES.get(type(value), "something else")
        errors.append(_error("json_type", f"expected {expected}, got {got}", loc))
        return
    if isinstance(value, list):
        item = _item_type(annotation)
        for n, element in enumerate(value):
            _check(item, element, (*loc, n), errors)


def json_kinds(annotation: Any) -> set[type] | None:
    """The JSON value types a field of this annotation takes; None: any (checked elsewhere)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return json_kinds(args[0])
    if origin in (Union, types.UnionType):
        found: set[type] = set()
        for arg in args:
            kinds = json_kinds(arg)
            if kinds is None:
                return None
            found |= kinds
        return found
    if origin is Literal:
        literal = {type(a) for a in args}
        return literal | {int} if float in literal else literal
    if origin in (list, tuple, set, frozenset):
        return {list}
    if origin is dict:
        return {dict}
    if annotation is type(None):
        return {type(None)}
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, Enum):
        return {type(member.value) for member in annotation}
    for kind, taken in _SCALARS:
        if issubclass(annotation, kind):
            return set(taken)
    return None


# In order: bool before int (a bool is an int in Python), text-shaped values last.
_SCALARS: tuple[tuple[type, tuple[type, ...]], ...] = (
    (bool, (bool,)),
    (int, (int,)),
    (float, (int, float)),
    (str, (str,)),
    (datetime, (str,)),
    (date, (str,)),
    (time, (str,)),
    (UUID, (str,)),
    (BaseModel, (dict,)),
)


def _item_type(annotation: Any) -> Any:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _item_type(args[0])
    if origin in (Union, types.UnionType):
        return next((_item_type(a) for a in args if get_origin(_strip(a)) in _LISTS), Any)
    if origin in _LISTS and args:
        return args[0]
    return Any


_LISTS = (list, tuple, set, frozenset)


def _strip(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _error(kind: str, message: str, loc: tuple[str | int, ...]) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=None)
