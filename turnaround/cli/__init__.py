"""The ``turnaround`` command line: thin commands over the library.

Each command parses its arguments, calls one library function and formats the result. Expected
failures (any ``TurnaroundError``) print one line and exit 1, with no traceback. The root group
in ``cli/app.py`` imports a command's module only when that command runs, so start-up stays fast.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from turnaround.cli.app import app
from turnaround.errors import TurnaroundError

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI, turning expected errors into one clear line."""
    try:
        code = app(standalone_mode=False)  # returns a command's exit code instead of raising
    except TurnaroundError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        Console(stderr=True).print("aborted")
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: bad options, missing arguments
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        sys.exit(int(getattr(exc, "exit_code", 2)))
    if isinstance(code, int) and code:
        sys.exit(code)
