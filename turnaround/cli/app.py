"""The Typer application, its lazy root group, and the options every command shares.

The root group knows each command's name, module and one-line help without importing the module,
so ``turnaround --help`` imports nothing heavy and ``turnaround users list`` imports only
``cli/users.py`` and what it needs. A command module registers its commands on ``app`` when it is
imported, as any Typer module does; the root imports it only when the command runs (or when its
own help is asked for).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from turnaround.errors import ConfigError

if TYPE_CHECKING:
    # Typer carries its own copy of click; these are the types its groups are written against.
    from typer._click import Command, Context, HelpFormatter

    from turnaround.settings import Settings


@dataclass(frozen=True)
class LazyCommand:
    """Where a top-level command lives, and the line the root's help shows for it."""

    module: str
    help: str


# In the order the root's help lists them: commands first, then groups, as Typer orders them.
# tests/cli/test_cli.py checks this table against the commands the modules really define.
COMMANDS: dict[str, LazyCommand] = {
    "demo": LazyCommand(
        "turnaround.cli.demo",
        "Generate the synthetic city, run every stage on it, and write the HTML report.",
    ),
    "forecast": LazyCommand(
        "turnaround.cli.forecast",
        "Project children in need, on plans and looked after over five financial years.",
    ),
    "budget": LazyCommand(
        "turnaround.cli.forecast",
        "The five-year budget by Section 251 line, with bands, and the scenarios side by side.",
    ),
    "validate": LazyCommand(
        "turnaround.cli.returns",
        "Check returns against their year's layout, code lists and DfE rules; load nothing.",
    ),
    "load": LazyCommand(
        "turnaround.cli.returns",
        "Validate returns and the workforce export, and load them into the workspace store.",
    ),
    "synth": LazyCommand(
        "turnaround.cli.synth",
        "Generate a synthetic local authority: returns, partner extracts, workforce, ground truth.",
    ),
    "link": LazyCommand(
        "turnaround.cli.unknown",
        "Load partner extracts and the council's person records, and link them into people.",
    ),
    "unknown": LazyCommand(
        "turnaround.cli.unknown",
        "Score the linked people on the risk indicators and build the worklist of unknown "
        "children.",
    ),
    "serve": LazyCommand(
        "turnaround.cli.web",
        "Start the web app over the workspace's store (the CLI cannot write to it meanwhile).",
    ),
    "workforce": LazyCommand(
        "turnaround.cli.workforce",
        "Caseloads, spans, agency, vacancy and turnover, the senior structure, posts needed, and\n"
        "a costed recruitment plan, from the workforce export in the store.",
    ),
    "benchmarks": LazyCommand(
        "turnaround.cli.benchmarks",
        "Published benchmarks: the DfE's local-authority tables, for comparison with England, "
        "the region and statistical neighbours.",
    ),
    "measures": LazyCommand(
        "turnaround.cli.measures",
        "The standard performance measures, trended and benchmarked.",
    ),
    "plan": LazyCommand(
        "turnaround.cli.plan",
        "The improvement plan: check it, check it in, rate its progress, render it.",
    ),
    "sources": LazyCommand("turnaround.cli.sources", "Partner extracts and their mapping files."),
    "users": LazyCommand("turnaround.cli.users", "Users of the workspace and their roles."),
}

# Set in ctx.meta while the root formats its help, so listing the commands imports none of them.
_LISTING = "turnaround.cli.listing"


class LazyGroup(TyperGroup):
    """The root group: lists commands from ``COMMANDS`` and imports a command's module to run it."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Every top-level command name, the table's first, in help order."""
        extra = [name for name in super().list_commands(ctx) if name not in COMMANDS]
        return [*COMMANDS, *extra]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command, imported on first use (only its help line while the root lists them)."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return None
        if ctx.meta.get(_LISTING):
            return TyperCommand(cmd_name, help=lazy.help)
        command = load_command(cmd_name)
        self.add_command(command, cmd_name)
        return command

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The root's help, listing commands from the table without importing them."""
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta.pop(_LISTING, None)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """Find the command to run; a mistyped name gets the suggestion Typer would make."""
        # Typer suggests only among commands already loaded, and none are until one runs.
        typo = args[0] if args else ""
        if typo and not typo.startswith("-") and typo not in self.list_commands(ctx):
            matches = get_close_matches(typo, self.list_commands(ctx))
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                ctx.fail(f"No such command {typo!r}. Did you mean {suggestions}?")
        return super().resolve_command(ctx, args)


def load_command(name: str) -> Command:
    """Import the module that defines top-level command ``name`` and return its click command."""
    lazy = COMMANDS[name]
    importlib.import_module(lazy.module)
    # Only the command modules imported so far are registered, so this converts just those.
    root = typer.main.get_command(app)
    command = root.commands.get(name) if isinstance(root, TyperGroup) else None
    if command is None:
        raise ConfigError(f"{lazy.module} does not define the command {name!r} the CLI lists")
    return command


app = typer.Typer(
    name="turnaround",
    cls=LazyGroup,
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
    from turnaround.settings import load_settings  # pydantic-settings costs a tenth of a second

    ctx.obj = load_settings(workspace=workspace)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings built once at the entry point."""
    from turnaround.settings import Settings

    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings
