"""The ``turnaround`` command line: thin commands over the library.

Each command parses its arguments, calls one library function and formats the result. Expected
failures (any ``TurnaroundError``) print one line and exit 1, with no traceback.
"""

from __future__ import annotations

import sys

from rich.console import Console

from turnaround.cli.app import app
from turnaround.errors import TurnaroundError

# Importing the command modules registers their commands on ``app``.
from turnaround.cli import demo as _demo  # noqa: F401  isort: skip
from turnaround.cli import synth as _synth  # noqa: F401  isort: skip

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI, turning expected errors into one clear line."""
    try:
        app(standalone_mode=False)
    except TurnaroundError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # click's own usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            Console(stderr=True).print("aborted")
            sys.exit(1)
        raise
