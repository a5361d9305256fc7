"""`--engine embedded|spark --master URL`: the options of the batch jobs that also run on
Apache Spark over the Parquet archive (cadenza job run, cadenza royalties close)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cadenza.jobs.on_archive import EngineChoice

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="embedded (this process, the database) or spark (Apache Spark over the Parquet "
        "archive of listening events)",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master", help="Spark's master URL with --engine spark: local[2], spark://host:7077"
    ),
]


def engine_choice(engine: str, master: str | None) -> EngineChoice:
    from cadenza.cli_console import err
    from cadenza.domain.errors import CadenzaError
    from cadenza.jobs.on_archive import EngineChoice

    try:
        return EngineChoice(engine, master)
    except CadenzaError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(2) from None
