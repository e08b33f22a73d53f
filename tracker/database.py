"""Database connection settings: SQLite pragmas for safe concurrent use.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls (every
100 ms once it has waited a while) rather than queueing them in order. On a busy machine a
writer can miss the lock's free moments for seconds, so the wait allowed is 15 s: well under a
worker's 30 s timeout, and long enough that a burst of writes from every worker is stored
rather than refused (tests/test_load.py). The busy timeout is set first, so the other pragmas
wait for the lock too.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=15000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Set the busy timeout, WAL, foreign keys and NORMAL sync on every new SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def init_app(app: Flask) -> None:
    """Make sure the instance folder exists for the default SQLite file."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        from pathlib import Path

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
