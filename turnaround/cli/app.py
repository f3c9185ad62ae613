"""The Typer application and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from turnaround.settings import Settings, load_settings

app = typer.Typer(
    name="turnaround",
    help="Help a children's social care department recover, from the data it already has.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (store, files, reports). Env: TURNAROUND_WORKSPACE.",
        show_default=False,
    ),
]


@app.callback()
def _root(ctx: typer.Context, workspace: WorkspaceOption = None) -> None:
    """Help a children's social care department recover, from the data it already has."""
    ctx.obj = load_settings(workspace=workspace)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings built once at the entry point."""
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings
