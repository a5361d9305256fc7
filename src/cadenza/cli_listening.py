"""`cadenza listening import EMAIL FILE`: listening history brought from elsewhere (another
server, the demo's past), judged by the rules of playability and overlap alone, since no
stream grant was ever issued for it here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cadenza.cli_console import err

listening = typer.Typer(
    help="Listening events that count as streams (not `cadenza history`).", no_args_is_help=True
)


@listening.command("import")
def import_history(
    email: Annotated[str, typer.Argument(help="The listener's account")],
    file: Annotated[Path, typer.Argument(help="JSON: {events: [...]}, as the events API takes")],
) -> None:
    """Import a listener's past plays (up to 30 days old; events as `POST
    /api/v1/me/player/events` takes them, any number): they count unless the track was not
    playable for the listener then or they overlap the listener's counted plays. Prints
    `{accepted, duplicates, rejected}` as JSON."""
    from pydantic import TypeAdapter
    from rich.progress import Progress

    from cadenza.api.routes.listening import EventIn
    from cadenza.bootstrap import bootstrap
    from cadenza.services.listening import MAX_EVENTS_PER_BATCH, ListeningService

    app = bootstrap()
    try:
        raw = json.loads(file.read_text())
        events = [e.event() for e in TypeAdapter(list[EventIn]).validate_python(raw["events"])]
        history = ListeningService(
            app.uow, app.clock, listener=app.subscriptions.listener, imported_history=True
        )
        account = app.admin.id_of(email)
        accepted = duplicates = 0
        rejected: list[dict[str, str]] = []
        with Progress(console=err.console, transient=True) as bar:
            task = bar.add_task("Importing", total=len(events))
            for first in range(0, len(events), MAX_EVENTS_PER_BATCH):
                batch = events[first : first + MAX_EVENTS_PER_BATCH]
                report = history.record(account, batch)
                accepted, duplicates = accepted + report.accepted, duplicates + report.duplicates
                rejected += [{"id": i, "code": c} for i, c in report.rejected]
                bar.advance(task, len(batch))
    finally:
        app.close()
    typer.echo(json.dumps({"accepted": accepted, "duplicates": duplicates, "rejected": rejected}))
