"""FastAPI asks of every route's types (and of answers it encodes) whether they are pydantic v1
models, and imports `pydantic.v1` to find out: 3 MB that then stay in a server that has none.
No class is a v1 model before `pydantic.v1` is imported, so until then the answer is no without
importing it. Written against fastapi 0.165 (pinned); tests/unit/test_pydantic_v1_check.py
fails if the functions replaced here move."""

from __future__ import annotations

import sys
from typing import Any

from fastapi import encoders
from fastapi._compat import shared

_is_v1_class = shared.is_pydantic_v1_model_class
_is_v1_instance = shared.is_pydantic_v1_model_instance


def is_v1_model_class(cls: Any) -> bool:
    return "pydantic.v1" in sys.modules and _is_v1_class(cls)


def is_v1_model_instance(obj: Any) -> bool:
    return "pydantic.v1" in sys.modules and _is_v1_instance(obj)


def check_v1_only_when_imported() -> None:
    shared.is_pydantic_v1_model_class = is_v1_model_class
    shared.is_pydantic_v1_model_instance = is_v1_model_instance
    setattr(encoders, "is_pydantic_v1_model_instance", is_v1_model_instance)  # noqa: B010
