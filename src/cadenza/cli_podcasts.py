"""`cadenza podcasts add | refresh | list`: shows from RSS feeds, for operators. Works with the
server running or not (the database is the meeting point; the server's clock refreshes the feed
from then on)."""

from __future__ import annotations

from typing import Annotated

import typer

from cadenza.cli_console import err
from cadenza.domain.errors import CadenzaError

podcasts = typer.Typer(
    help="Podcasts: add shows by their RSS feeds, refresh them.", no_args_is_help=True
)


@podcasts.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The show's RSS feed (http or https)")],
    audio: Annotated[
        int, typer.Option(help="Fetch the audio of this many newest episodes now")
    ] = 3,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Add a show by its feed; prints the show's id (the same id for a feed added before)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err.console,
            disable=quiet,
        ) as bar:
            task = bar.add_task("Reading the feed", total=1 + audio)
            show = app.podcasts.add(url)
            bar.update(task, completed=1, description=f"{show.title}: episode audio")
            app.podcasts.fetch_audio(show.id, audio, lambda: bar.advance(task))
            bar.update(task, completed=1 + audio, description=f"{show.title}: done")
    except CadenzaError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()
    typer.echo(show.id)


@podcasts.command("refresh")
def refresh(
    show: Annotated[
        int | None, typer.Argument(help="One show's id; every due feed without")
    ] = None,
) -> None:
    """Ask the feeds again now (conditional requests: an unchanged feed is not read again)."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        done = [app.podcasts.refresh(show)] if show is not None else app.podcasts.refresh_due()
    except CadenzaError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()
    for r in done:
        state = r.error or ("changed" if r.changed else "unchanged")
        typer.echo(f"{r.show_id}\t{state}\t{r.new_episodes} new")
