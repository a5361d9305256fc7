"""`cadenza apps list | remove`: the apps developers registered for the Spotify-shaped API,
for operators (an app that abuses its listeners' trust is removed, and every token ends)."""

from __future__ import annotations

from typing import Annotated

import typer

from cadenza.cli_console import err
from cadenza.domain.errors import CadenzaError

apps = typer.Typer(help="Registered OAuth apps, for operators.", no_args_is_help=True)


@apps.command("list")
def apps_list() -> None:
    """Every app: client id, owner, name, listeners with access, registered."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        emails = {a.id: a.email for a in app.accounts.all_accounts(limit=100_000)}
        for found, listeners in app.oauth_apps.all_apps():
            typer.echo(
                f"{found.client_id}\t{emails.get(found.owner_id, '-')}\t{found.name}\t"
                f"{listeners} listeners\t{found.created_at:%Y-%m-%d}"
            )
    finally:
        app.close()


@apps.command("remove")
def apps_remove(
    client_id: Annotated[str, typer.Argument(help="The app's client id")],
) -> None:
    """Remove an app: its tokens stop working at once, for every listener."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        removed = app.oauth_apps.remove(client_id)
    except CadenzaError as error:
        err.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    finally:
        app.close()
    typer.echo(f"removed {removed.name} ({removed.client_id})")
