"""`cadenza history import FILE --account EMAIL`: a listener's Spotify, ListenBrainz or Last.fm
history brought into Cadenza as their imported history (recommendations, Your year, Only You,
recently played), never as counted streams. Straight on the database: it works whether or not
the server runs. Not `cadenza listening import`, which brings in listening events that count as
streams."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cadenza.cli_console import err

history = typer.Typer(
    help="Your history from Spotify, ListenBrainz or Last.fm (never counted as streams).",
    no_args_is_help=True,
)


@history.command("import")
def import_history(
    file: Annotated[
        Path,
        typer.Argument(
            help="A Spotify export (zip or Streaming_History_Audio_*.json), a ListenBrainz "
            "export (zip or JSON lines) or a Last.fm scrobble CSV",
            exists=True,
            dir_okay=False,
        ),
    ],
    account: Annotated[str, typer.Option("--account", help="The listener's e-mail")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import a history file for a listener and print the report: plays read, matched to the
    catalog, unmatched (with the most played unmatched songs), skipped (podcasts, under 30 s)
    and new to the history (importing the same file again adds nothing)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cadenza.bootstrap import bootstrap
    from cadenza.domain.errors import CadenzaError

    app = bootstrap()
    try:
        who = app.admin.id_of(account)
        with Progress(
            TextColumn("Matching plays"), BarColumn(), MofNCompleteColumn(), console=err.console
        ) as bar:
            task = bar.add_task("import", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            found = app.history_imports.run(who, file, file.name, step)
    except CadenzaError as exc:
        err.print(f"[red]refused[/] ({exc.code}): {exc.message}")
        raise typer.Exit(2) from None
    finally:
        app.close()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "import_id": found.id,
                    "source": found.source,
                    "status": found.status,
                    "total": found.total,
                    "matched": found.matched,
                    "unmatched": found.unmatched,
                    "skipped": found.skipped,
                    "added": found.added,
                    "top_unmatched": [
                        {"artist": a, "title": t, "plays": n} for a, t, n in found.top_unmatched
                    ],
                }
            )
        )
        return
    typer.echo(
        f"Import {found.id} ({found.source}): {found.status}. {found.total} plays read, "
        f"{found.matched} matched, {found.unmatched} unmatched, {found.skipped} skipped, "
        f"{found.added} new to the history."
    )
    if found.top_unmatched:
        from rich.console import Console
        from rich.table import Table

        table = Table("Artist", "Title", "Plays", title="Most played without a match")
        for artist, title, plays in found.top_unmatched:
            table.add_row(artist, title, str(plays))
        Console().print(table)
    if found.status != "done":
        raise typer.Exit(1)
