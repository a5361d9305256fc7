"""`cadenza royalties close | months | statements | pay`: monthly royalties, for operators."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cadenza.cli_console import err
from cadenza.cli_engine import EngineOption, MasterOption, engine_choice
from cadenza.domain.errors import CadenzaError

if TYPE_CHECKING:
    from cadenza.ports.royalties import PoolFigures

royalties = typer.Typer(
    help="Royalties: close a month, export statements, pay distributors.", no_args_is_help=True
)


@royalties.command("close")
def close(
    month: Annotated[str, typer.Argument(help="The month to close, YYYY-MM")],
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    engine: EngineOption = "embedded",
    master: MasterOption = None,
) -> None:
    """Close a month in every market: pools, the three models side by side, statements. Safe to
    run again: a closed month is never changed (the second run prints what is stored).
    `--engine spark --master URL`: the month's streams counted by Apache Spark over the
    Parquet archive of listening events; the money is split here all the same."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cadenza.bootstrap import bootstrap
    from cadenza.services.royalties import STEPS

    chosen = engine_choice(engine, master)
    app = bootstrap()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err.console,
            disable=quiet,
        ) as bar:
            task = bar.add_task(f"Closing {month}", total=len(STEPS))

            def step(name: str) -> None:
                bar.update(task, completed=STEPS.index(name), description=f"{month}: {name}")

            if chosen.embedded:
                done = app.royalties.close(month, step)
            else:
                from cadenza.jobs.on_archive import close_royalties

                batch = chosen.make()
                try:
                    done = close_royalties(app, month, batch, step)
                finally:
                    batch.close()
            bar.update(task, completed=len(STEPS), description=f"{month}: closed")
    except CadenzaError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()
    c = done.closed
    state = "already closed" if done.already else "closed"
    typer.echo(
        f"{c.month} {state} at {c.closed_at:%Y-%m-%d %H:%M} UTC: {c.streams} streams, paying "
        f"model {c.model}, payable from {c.payable_at:%Y-%m-%d}"
    )
    _print_pools(done.pools)


def _print_pools(pools: list[PoolFigures]) -> None:
    from cadenza.services.royalties import cents

    for p in pools:
        typer.echo(
            f"{p.market}\t{p.model}\tpool {cents(p.pool_cents)} {p.currency}\t"
            f"paid {cents(p.paid_cents)}\t{p.streams} streams\t{p.flagged_streams} flagged"
        )


@royalties.command("months")
def months() -> None:
    """The next scheduled close, then closed months: when, the paying model, and each
    market's pool under each model."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        upcoming = app.royalty_clock.next()
        if upcoming is None:
            typer.echo("next close: none scheduled (royalty_close_day is 0)")
        else:
            typer.echo(f"next close: {upcoming.month} on {upcoming.at:%Y-%m-%d %H:%M} UTC")
        for done in app.royalties.months():
            c = done.closed
            typer.echo(f"{c.month}\tclosed {c.closed_at:%Y-%m-%d}\t{c.model}\t{c.streams} streams")
            _print_pools(done.pools)
    finally:
        app.close()


@royalties.command("statements")
def statements(
    month: Annotated[str, typer.Argument(help="A closed month, YYYY-MM")],
    distributor: Annotated[int | None, typer.Option(help="One distributor's id")] = None,
    format: Annotated[str, typer.Option("--format", help="csv or dsr")] = "csv",
    model: Annotated[
        str | None, typer.Option(help="Another model's lines, to compare (not what is paid)")
    ] = None,
) -> None:
    """A closed month's statement lines (track, market, ISRC, streams, amount, currency) to
    standard output, as CSV or as a DDEX DSR-style tab-separated flat file."""
    from cadenza.bootstrap import bootstrap
    from cadenza.services.royalties import statement_csv, statement_dsr

    if format not in ("csv", "dsr"):
        err.print("[red]--format is csv or dsr[/]")
        raise typer.Exit(2)
    app = bootstrap()
    try:
        closed, lines = app.royalties.statement(month, distributor, model)
    except (CadenzaError, ValueError) as exc:
        err.print(f"[red]{getattr(exc, 'message', exc)}[/]")
        raise typer.Exit(2) from None
    finally:
        app.close()
    sender = app.settings.public_url
    sys.stdout.write(
        statement_csv(lines) if format == "csv" else statement_dsr(closed, lines, sender)
    )


@royalties.command("pay")
def pay() -> None:
    """Record as paid every distributor's money that is due (its month's payment date has come)
    and not paid yet: one payout per distributor, month and currency, never twice."""
    from cadenza.bootstrap import bootstrap
    from cadenza.services.royalties import cents

    app = bootstrap()
    try:
        paid = app.royalties.pay()
    finally:
        app.close()
    for p in paid:
        typer.echo(
            f"paid distributor {p.distributor_id}\t{p.month}\t{cents(p.amount_cents)} "
            f"{p.currency}\t{p.lines} lines"
        )
    typer.echo(f"{len(paid)} payouts recorded")
