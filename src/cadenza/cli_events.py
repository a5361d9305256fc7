"""`cadenza events`: the durable event stream (CADENZA_NATS_URL) and its Parquet archive."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from cadenza.cli_console import err

events = typer.Typer(help="The durable event stream and its archive.", no_args_is_help=True)


@events.command("consume")
def consume(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only this consumer (counting, search-popularity, artist-stats); again "
            "for more. Default: all of them.",
        ),
    ] = None,
) -> None:
    """Run the stream's durable consumers until stopped (SIGTERM, Ctrl-C): `counting` (the
    listening events judged and counted), `search-popularity` and `artist-stats` (the counted
    plays into search's popularity and the artists' statistics). As many of these processes as
    you like share the work; one killed leaves its unacknowledged events to the others, or to
    itself once restarted, and nothing is counted twice."""
    import signal
    import threading

    from cadenza.bootstrap import bootstrap
    from cadenza.domain.event_stream import CONSUMERS

    names = list(CONSUMERS) if not only else list(dict.fromkeys(only))
    unknown = [name for name in names if name not in CONSUMERS]
    if unknown:
        err.print(f"[red]No consumer {', '.join(unknown)}:[/] {', '.join(CONSUMERS)}")
        raise typer.Exit(2)
    app = bootstrap(worker=True)  # the server migrates; this process only consumes
    if app.event_log is None:
        err.print("[red]CADENZA_NATS_URL is not set:[/] events are counted in the request.")
        raise typer.Exit(2)
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    stop = app.start_consumers(names)
    err.print(f"[bold green]Consuming the event stream:[/] {', '.join(names)} (Ctrl-C to stop)")
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
