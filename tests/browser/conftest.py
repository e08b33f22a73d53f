"""Browser tests: the app served on a local port, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from config import TestingConfig
from tests import factories
from tracker import create_app
from tracker.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder is a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """The app, serving on `url`, with helpers that write to its database."""

    app: Flask
    url: str

    def make_user(self, **kwargs):  # type: ignore[no-untyped-def]
        """Create a person in the served app's database."""
        with self.app.app_context():
            user = factories.make_user(**kwargs)
            db.session.refresh(user)  # load what commit expired, then detach
            db.session.expunge(user)
            return user

    def load_catalogue(self, text: str) -> None:
        """Import a catalogue file into the served app's database."""
        from tracker.catalogue.service import import_text

        with self.app.app_context():
            import_text(text, "catalogue.yaml")
            db.session.commit()

    def make_team(self, **kwargs):  # type: ignore[no-untyped-def]
        """Create a team in the served app's database (people are re-read by id)."""
        from tracker.models import User

        with self.app.app_context():
            for role in ("managers", "members"):
                kwargs[role] = [db.session.get(User, p.id) for p in kwargs.get(role, [])]
            team = factories.make_team(**kwargs)
            db.session.refresh(team)
            db.session.expunge(team)
            return team


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 and a free port, with its own SQLite database file."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.db'}")
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian Chromium; skipped without it, except in CI where that fails the run."""
    if not CHROMIUM.exists():
        reason = "Chromium not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; browser tests must run in CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser page (own cookies) that fails the test on any dialog it did not expect."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert not dialogs, f"unexpected dialogs: {dialogs}"
