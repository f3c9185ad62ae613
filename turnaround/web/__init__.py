"""The web app: server-rendered GOV.UK pages over the workspace's store (see docs/web.md)."""

from turnaround.web.app import create_app

__all__ = ["create_app"]
