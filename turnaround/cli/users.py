"""``turnaround users``: the people who may use the workspace, and their roles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import ROLES, add_user, audit
from turnaround.cli.app import app, settings_from
from turnaround.errors import ConfigError
from turnaround.store import open_store

users_app = typer.Typer(help="Users of the workspace and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Add a user with a role (or change an existing user's role).

    Example: turnaround users add ana --role analyst
    """
    settings = settings_from(ctx)
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    store = open_store(settings.store_path)
    try:
        add_user(store, username, role)
        audit(store, settings.user, "manage-users", f"user {username} as {role}")
    finally:
        store.close()
    Console().print(f"{username} is now {role}")


@users_app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List the users and their roles.

    Example: turnaround users list
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        rows = store.con.execute("select username, role from users order by username").fetchall()
    finally:
        store.close()
    table = Table(title="Users")
    table.add_column("User")
    table.add_column("Role")
    for username, role in rows:
        table.add_row(username, role)
    Console().print(table)
