"""The `flask …` command groups, each defined beside what it manages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command group on the app."""
    from tracker.demo import demo_cli

    app.cli.add_command(demo_cli)
    from tracker.api.commands import tokens_cli

    app.cli.add_command(tokens_cli)
