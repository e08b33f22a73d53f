"""`flask db-backup FILE`: a consistent copy of the SQLite database, taken while the app runs.

SQLite's online backup API copies the database page by page as one snapshot, the committed
pages still in the write-ahead log included, while other connections go on reading and
writing. Copying the file with `cp` is not safe: it can catch a write half done and misses
what the log holds. PostgreSQL is backed up with `pg_dump` instead (see docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url

from tracker import audit
from tracker.extensions import db


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _sqlite_path() -> Path:
    """Return the file of the app's SQLite database, or exit saying why there is none."""
    url = make_url(db.engine.url)
    if url.get_backend_name() != "sqlite":
        _fail(
            f"db-backup copies SQLite databases; this one is {url.get_backend_name()}: "
            "use pg_dump (see docs/deploy.md)"
        )
    if not url.database or url.database == ":memory:":
        _fail("the database is in memory: there is no file to back up")
    path = Path(url.database)
    if not path.is_file():
        _fail(f"{path} does not exist")
    return path


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy `source` into the new file `target` as one snapshot; return its size in bytes.

    The copy is written beside `target`, checked, and renamed into place, so `target` is
    either absent or a whole, self-contained database (no -wal file needed) readable by
    its owner only.
    """
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # private from byte 1
    try:
        with (
            closing(sqlite3.connect(source, timeout=10)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)  # all pages in one step: one snapshot; writers go on (WAL)
            copy.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy failed its integrity check: {verdict}")
    except sqlite3.Error:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target.stat().st_size


@click.command("db-backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup_command(file: Path) -> None:
    """Copy the SQLite database to FILE while the app runs (a new file, owner-readable only)."""
    source = _sqlite_path()
    if file.exists():
        _fail(f"{file} already exists: choose a new file name")
    if not file.parent.is_dir():
        _fail(f"{file.parent} is not a directory")
    try:
        size = backup_sqlite(source, file)
    except sqlite3.Error as error:
        _fail(f"cannot back up {source}: {error}")
    audit.record("data.backed_up", file.name, f"sqlite {size} bytes")
    db.session.commit()
    click.echo(f"Backed up {source} to {file} ({size:,} bytes).")
