"""`cadenza recs train | status`: the recommendation model, trained here (numpy, scipy,
implicit and voyager are imported by `train` only) and the one in service."""

from __future__ import annotations

from typing import Annotated

import typer

from cadenza.cli_console import err
from cadenza.cli_engine import EngineOption, MasterOption, engine_choice

recs = typer.Typer(
    help="The recommendation model: train it, see the one in service.", no_args_is_help=True
)

PHASES = {"reading": "Reading the listening", "training": "Training", "indexing": "Indexing"}


@recs.command("train")
def train(
    quiet: Annotated[bool, typer.Option(help="No progress bar (the server's clock)")] = False,
    engine: EngineOption = "embedded",
    master: MasterOption = None,
) -> None:
    """Train a new model from every listener's plays, likes, saves, follows, playlist adds and
    early skips; the server answers from it as soon as it is written (no restart), and from the
    one before until then, or if training fails. `--engine spark --master URL`: the plays
    counted over the event archive and ALS solved by Apache Spark."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from cadenza.bootstrap import bootstrap
    from cadenza.recs.build import NothingToLearn

    chosen = engine_choice(engine, master)
    app = bootstrap()
    on = None if chosen.embedded else chosen.make()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            console=err.console,
            disable=quiet,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = int(bar.add_task(PHASES.get(phase, phase), total=total))
                bar.update(tasks[phase], completed=done, total=total)  # type: ignore[arg-type]

            if on is None:
                trained = app.train_recs(progress)
            else:
                from cadenza.jobs.recs_on_archive import train_on_spark

                trained = train_on_spark(app, on, progress)
    except NothingToLearn as exc:
        err.print(f"[yellow]{exc}[/]: recommendations stay on popularity")
        raise typer.Exit(1) from None
    finally:
        if on is not None:
            on.close()
        app.close()
    err.print(
        f"[green]model {trained.version}[/] in service: {trained.listeners} listeners, "
        f"{trained.tracks} tracks, {trained.counted_plays} counted streams, "
        f"{trained.seconds:.1f} s"
    )


@recs.command("status")
def status() -> None:
    """The model in service: version, when it was trained, listeners, tracks, and whether
    answers come from it ("model") or from popularity ("popular")."""
    from cadenza.config import Settings
    from cadenza.recs.served import ServedModel
    from cadenza.recs.store import models_dir

    settings = Settings()
    info = ServedModel(models_dir(settings.data_dir)).info()
    if info is None:
        typer.echo("no model yet: answers come from popularity (basis: popular)")
        return
    basis = "model" if info.counted_plays >= settings.recs_min_plays else "popular"
    typer.echo(f"version\t{info.version}")
    typer.echo(f"trained\t{info.trained_at.isoformat()}")
    typer.echo(f"listeners\t{info.listeners}")
    typer.echo(f"tracks\t{info.tracks}")
    typer.echo(f"streams\t{info.counted_plays}")
    typer.echo(f"basis\t{basis}")
