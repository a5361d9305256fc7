"""The `cadenza` command. `serve` is started from here, without Typer (cadenza/serve.py); every
other command, and `serve --help` or a mistake in its options, goes to the Typer app (cli.py)."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["serve"]:
        from cadenza.serve import ServeRefused, say, serve, serve_options

        options = serve_options(args[1:])
        if options is not None:
            try:
                serve(**options)
            except ServeRefused as refused:
                say(str(refused))
                raise SystemExit(2) from None
            return
    from cadenza.cli import main as commands

    commands()
