"""The `flask …` command groups, each defined beside what it manages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command group on the app."""
    from tracker.admin.commands import roster_cli, users_cli
    from tracker.admin.integration_commands import integrations_cli
    from tracker.api.commands import tokens_cli
    from tracker.backup import db_backup_command
    from tracker.catalogue.commands import catalog_cli
    from tracker.demo import demo_cli
    from tracker.figures_commands import figures_cli
    from tracker.notify import notify_cli
    from tracker.transfer.commands import data_cli

    app.cli.add_command(db_backup_command)
    for group in (
        demo_cli,
        users_cli,
        roster_cli,
        tokens_cli,
        integrations_cli,
        catalog_cli,
        notify_cli,
        data_cli,
        figures_cli,
    ):
        app.cli.add_command(group)
