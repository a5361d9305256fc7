"""The command groups kept in modules of their own (`cadenza ads ...`, `cadenza podcasts ...`),
imported only when a command line names them, or to list them all (`cadenza --help`): a command
builds only its own group's commands (Typer makes every command of a group it builds)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup
from typer.main import get_group_from_info

# name: (module, its Typer), in the order `cadenza --help` lists them, after `users`
GROUPS = {
    "ads": ("cadenza.cli_ads", "ads"),
    "apps": ("cadenza.cli_apps", "apps"),
    "recs": ("cadenza.cli_recs", "recs"),
    "royalties": ("cadenza.cli_royalties", "royalties"),
    "listening": ("cadenza.cli_listening", "listening"),
    "history": ("cadenza.cli_history", "history"),
    "events": ("cadenza.cli_events", "events"),
    "podcasts": ("cadenza.cli_podcasts", "podcasts"),
}
AFTER = "users"


class GroupsOnDemand(TyperGroup):
    """The `cadenza` group: the GROUPS are made when asked for by name."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = [n for n in self.commands if n not in GROUPS]
        at = names.index(AFTER) + 1 if AFTER in names else len(names)
        return [*names[:at], *GROUPS, *names[at:]]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in GROUPS and cmd_name not in self.commands:
            self.commands[cmd_name] = _group(cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in GROUPS:
            for name in GROUPS:  # a mistake: "Did you mean ...?" looks among them all
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


def _group(name: str) -> TyperGroup:
    """The group as `add_typer(group, name=name)` would have made it."""
    module, attribute = GROUPS[name]
    group: typer.Typer = getattr(import_module(module), attribute)
    holder = typer.Typer()
    holder.add_typer(group, name=name)
    return get_group_from_info(
        holder.registered_groups[0],
        pretty_exceptions_short=holder.pretty_exceptions_short,
        suggest_commands=holder.suggest_commands,
        rich_markup_mode=holder.rich_markup_mode,
    )
