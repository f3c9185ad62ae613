"""``turnaround users``: the people who may use the workspace, and their roles.

Every command here is a library use case (``access.create_user``, ``set_role``, ``list_users``)
that needs ``manage-users``; the first user of a fresh workspace may be added by anyone, as an
administrator.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import ROLES, Actor, create_user, list_users, new_password, set_role
from turnaround.cli.app import app, settings_from
from turnaround.store import open_store

users_app = typer.Typer(help="Users of the workspace and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this administrator. Env: TURNAROUND_USER."),
]


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
    user: UserOption = None,
) -> None:
    """Add a user with a role and a password (or replace an existing user's); manage-users.

    Without --password-stdin it asks for the password twice, or, when nobody is at a terminal,
    makes one up and prints it once. A fresh workspace's first user must be an administrator.

    Example: turnaround users add ana --role analyst --user admin
    """
    settings = settings_from(ctx)
    generated = False
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password, generated = new_password(), True
    store = open_store(settings.store_path)
    try:
        added = create_user(
            store, Actor.cli(user or settings.user), username, role, password, team=team
        )
    finally:
        store.close()
    console = Console()
    console.print(f"{added.username} is now {added.role}" + (f" of team {team}" if team else ""))
    if generated:
        console.print(f"password (shown once): {password}", highlight=False)


@users_app.command("set-role")
def change_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    team: Annotated[
        str | None, typer.Option(help="The team (team_id) a team manager manages.")
    ] = None,
    user: UserOption = None,
) -> None:
    """Change a user's role (and team), keeping their password; manage-users.

    Example: turnaround users set-role ana --role board_member --user admin
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        changed = set_role(store, Actor.cli(user or settings.user), username, role, team=team)
    finally:
        store.close()
    Console().print(
        f"{changed.username} is now {changed.role}" + (f" of team {team}" if team else "")
    )


@users_app.command("list")
def list_command(ctx: typer.Context, user: UserOption = None) -> None:
    """List the users and their roles; manage-users.

    Example: turnaround users list --user admin
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        users = list_users(store, Actor.cli(user or settings.user))
    finally:
        store.close()
    table = Table(title="Users")
    table.add_column("User")
    table.add_column("Role")
    table.add_column("Team")
    for found in users:
        table.add_row(found.username, found.role, found.team or "")
    Console().print(table)
