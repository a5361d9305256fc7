"""`cadenza events`: the durable event stream (CADENZA_NATS_URL) and its Parquet archive."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from cadenza.cli_console import err

events = typer.Typer(help="The durable event stream and its archive.", no_args_is_help=True)


@events.command("consume")
def consume() -> None:
    """Run the stream's durable consumers (`counting`) until stopped (SIGTERM, Ctrl-C): as many
    of these processes as you like share the work; one killed leaves its unacknowledged events
    to the others, or to itself once restarted, and nothing is counted twice."""
    import signal
    import threading

    from cadenza.bootstrap import bootstrap

    app = bootstrap(worker=True)  # the server migrates; this process only counts
    if app.event_log is None:
        err.print("[red]CADENZA_NATS_URL is not set:[/] events are counted in the request.")
        raise typer.Exit(2)
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    stop = app.start_consumers()
    err.print("[bold green]Consuming the event stream[/] (Ctrl-C to stop)")
    done.wait()
    stop.set()
    app.close()


@events.command("archive")
def archive(
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD (UTC)")],
) -> None:
    """Write the day's listening events as one Parquet file to the blob store (again for a day
    already archived: the same rows give the same file). Prints {day, events, digest}."""
    from cadenza.bootstrap import bootstrap

    try:
        which = date.fromisoformat(day)
    except ValueError:
        err.print("[red]--day must be YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    from rich.progress import Progress

    app = bootstrap()
    try:
        with Progress(console=err.console, transient=True) as bar:
            task = bar.add_task(f"Archiving {day}", total=app.event_archive.count(which))
            archived = app.event_archive.archive_day(which, lambda n: bar.advance(task, n))
    finally:
        app.close()
    print(json.dumps({"day": day, "events": archived.events, "digest": archived.digest}))
