"""Logs as one JSON object a line (CADENZA_LOG_FORMAT=json), for a log collector: time, level,
logger, message, the request's id (the X-Request-Id every answer carries, api/operations.py),
and for uvicorn's access lines the client, method, path (without its query: stream grants'
signatures stay out of the logs) and status."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from cadenza.api.operations import REQUEST_ID


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _, status = args
            path = str(path).split("?", 1)[0]
            entry.update(client=client, method=method, path=path, status=status)
            entry["message"] = f"{method} {path} {status}"
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """A logging.config dict (uvicorn's `log_config`) sending every logger's lines as JSON
    to stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["default"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cadenza.api.log_format.JsonLines"}},
        "handlers": {"default": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.error": {"level": level}, "uvicorn.access": quiet},
        "root": {"handlers": ["default"], "level": level},
    }
