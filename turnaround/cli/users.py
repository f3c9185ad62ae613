"""``turnaround users``: the people who may use the workspace, and their roles."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import ROLES, add_user, audit, hash_password, new_password
from turnaround.cli.app import app, settings_from
from turnaround.errors import ConfigError, InputError
from turnaround.store import open_store

MIN_PASSWORD = 10

users_app = typer.Typer(help="Users of the workspace and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    team: Annotated[
        str | None, typer.Option(help="The team (team_id) a team manager manages.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user with a role and a password (or replace an existing user's).

    Without --password-stdin it asks for the password twice, or, when nobody is at a terminal,
    makes one up and prints it once.

    Example: turnaround users add ana --role analyst
    """
    settings = settings_from(ctx)
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    generated = False
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password, generated = new_password(), True
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")
    store = open_store(settings.store_path)
    try:
        add_user(store, username, role, hash_password(password), team=team)
        audit(
            store,
            settings.user,
            "manage-users",
            f"user {username} as {role}" + (f" of team {team}" if team else ""),
        )
    finally:
        store.close()
    console = Console()
    console.print(f"{username} is now {role}" + (f" of team {team}" if team else ""))
    if generated:
        console.print(f"password (shown once): {password}", highlight=False)


@users_app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List the users and their roles.

    Example: turnaround users list
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        rows = store.con.execute(
            "select username, role, coalesce(team, '') from users order by username"
        ).fetchall()
    finally:
        store.close()
    table = Table(title="Users")
    table.add_column("User")
    table.add_column("Role")
    table.add_column("Team")
    for username, role, team in rows:
        table.add_row(username, role, team)
    Console().print(table)
