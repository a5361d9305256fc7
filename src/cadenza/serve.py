"""`cadenza serve`: the HTTP server over the data dir. Parsed and started without the command
line's framework (cadenza/entry.py): Typer, Click and Rich never sit in the server's memory
(3 MB, 80 modules) nor in its start."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cadenza.bootstrap import App


class ServeRefused(Exception):
    """The server cannot start as asked: said on the console, exit status 2."""


# No per-message compression on WebSockets (uvicorn offers it to every browser, server-wide
# only): a live room sends the same already-compressed Opus packet to every listener every
# 40 ms, and a deflate context per listener would cost memory and CPU for nothing; the other
# sockets carry small JSON events, a few a minute.
UVICORN_OPTIONS: dict[str, Any] = {"ws_per_message_deflate": False}


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(
    host: str = "127.0.0.1", port: int = 8000, demo: bool = False, workers: int | None = None
) -> None:
    """Serve whatever the data dir holds (and the demo catalog, with `demo`)."""
    import uvicorn

    from cadenza.api.app import create_app
    from cadenza.bootstrap import bootstrap

    _default_public_url(host, port)
    app = bootstrap(serving=True)
    processes = workers or app.settings.workers
    if processes > 1:
        _check_shared_state(app)
    elif not app.settings.background and not app.settings.redis_url:
        say(
            "CADENZA_BACKGROUND=false without CADENZA_REDIS_URL: if other servers "
            "share this database, set the same CADENZA_REDIS_URL on all of them, or a "
            "listener's devices on different servers will not hear each other."
        )
    if demo:
        from cadenza.cli_demo import start_demo

        start_demo(app)  # the logins now; the catalog is published while the server answers
    say(f"Data dir: {app.settings.data_dir.resolve()}")
    _ = app.distributor_key  # made now, so distributors can be told where it is
    where = "CADENZA_DISTRIBUTOR_KEY" if app.settings.distributor_key else "distributor.key there"
    say(f"Distributor uploads: send the key in {where} as X-Distributor-Key")
    say(f"Cadenza is serving at http://{host}:{port}  (API docs: /docs)")
    logs = _log_config(app.settings.log_format)
    if processes == 1:
        uvicorn.run(
            create_app(app, openapi_aside=True),
            host=host,
            port=port,
            log_level="info",
            access_log=app.settings.access_log,
            **UVICORN_OPTIONS,
            **logs,
        )
        return
    # This process has migrated the database; it runs the background work (when this node
    # does it) while uvicorn's workers, spawned afresh, each build their own App without it.
    say(f"{processes} worker processes; background work here: {app.settings.background}")
    stop = app.start_background() if app.settings.background else None
    try:
        uvicorn.run(
            "cadenza.api.app:create_worker_app",
            factory=True,
            workers=processes,
            host=host,
            port=port,
            log_level="info",
            access_log=app.settings.access_log,
            **UVICORN_OPTIONS,
            **logs,
        )
    finally:
        if stop is not None:
            stop()
        app.close()


def _default_public_url(host: str, port: int) -> None:
    """Without CADENZA_PUBLIC_URL, the address this server answers on: links in e-mails and
    the OAuth issuer then name the port it was started on (the worker processes and the
    clocks' jobs inherit it)."""
    import os

    if not os.environ.get("CADENZA_PUBLIC_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        if ":" in shown:
            shown = f"[{shown}]"
        os.environ["CADENZA_PUBLIC_URL"] = f"http://{shown}:{port}"


def _log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's `log_config` for CADENZA_LOG_FORMAT=json (else its own text format)."""
    if log_format != "json":
        return {}
    from cadenza.api.log_format import json_log_config

    return {"log_config": json_log_config()}


def _check_shared_state(app: App) -> None:
    """Several processes share the player's live events and rip detection through Redis."""
    if not app.settings.redis_url:
        raise ServeRefused(
            "Several worker processes need Redis: a listener's devices may connect to "
            "different processes, and rip detection must add up what all of them served. Set "
            "CADENZA_REDIS_URL (e.g. redis://127.0.0.1:6379/0), or serve with --workers 1."
        )
    try:
        _ = app.bus
    except Exception as problem:
        raise ServeRefused(f"Redis at CADENZA_REDIS_URL does not answer: {problem}") from None


def serve_options(args: list[str]) -> dict[str, Any] | None:
    """`serve`'s options (--host, --port, --demo/--no-demo, --workers), or None for anything
    else (--help, a mistake): the Typer command then answers as it always has."""
    options: dict[str, Any] = {}
    numbers = {"--port": "port", "--workers": "workers"}
    rest = list(args)
    while rest:
        name, _, value = rest.pop(0).partition("=")
        if name in ("--demo", "--no-demo") and not value:
            options["demo"] = name == "--demo"
            continue
        if name not in ("--host", *numbers):
            return None
        if not value:
            if not rest:
                return None
            value = rest.pop(0)
        if name == "--host":
            options["host"] = value
            continue
        if not value.isdigit() or (name == "--workers" and int(value) < 1):
            return None
        options[numbers[name]] = int(value)
    return options
