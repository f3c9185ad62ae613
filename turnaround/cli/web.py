"""``turnaround serve``: the web app over the workspace's store."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console

from turnaround.cli.app import app, settings_from


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on. Env: TURNAROUND_HOST.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on. Env: TURNAROUND_PORT.")
    ] = None,
) -> None:
    """Start the web app over the workspace's store (the CLI cannot write to it meanwhile).

    Example: turnaround serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from turnaround.web import create_app

    settings = settings_from(ctx)
    console = Console(stderr=True)
    if settings.uses_dev_secret:
        console.print(
            "warning: sessions are signed with the development secret; "
            "set TURNAROUND_SECRET_KEY before anyone else can reach this app",
            highlight=False,
            soft_wrap=True,
        )
    web_app = create_app(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    listen_host = host or settings.host
    listen_port = port or settings.port
    console.print(f"turnaround is at http://{listen_host}:{listen_port}/", highlight=False)
    # uvicorn's access log prints full paths, which may carry a person's id; RouteLog logs
    # the route template instead.
    uvicorn.run(web_app, host=listen_host, port=listen_port, access_log=False, log_level="info")
