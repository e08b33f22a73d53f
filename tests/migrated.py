"""Empty databases at the head revision: migrated once per test module, copied for each test."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from flask_migrate import upgrade

from config import TestingConfig
from tracker import create_app
from tracker.extensions import db


def migrate(url: str) -> str:
    """Bring the database at `url` to the head revision with the app's migrations; return it."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def fresh_sqlite(template: Path, folder: Path) -> str:
    """Return the URL of a new copy of the migrated SQLite `template` in `folder`."""
    path = folder / f"{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
