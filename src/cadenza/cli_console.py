"""The commands' console on standard error, made on first use: Rich's console costs a command's
start about a tenth of its imports, and most commands print only a line to standard output."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class StandardError:
    """`err.print("[red]refused[/] ...")` as on Rich's console; `err.console` for a progress bar."""

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True)

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)


err = StandardError()
