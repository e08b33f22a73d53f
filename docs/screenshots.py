"""`make screenshots`: the demo organisation as each kind of user sees it, on a desktop and a phone.

Loads the demo (as `flask db upgrade` and `flask demo seed` do) into a temporary SQLite file,
serves the app on a free local port, logs in as each demo account in Debian's Chromium and saves
the main pages of each to docs/screenshots/<name>.png (1280 px wide) and, for the pages people
open on the move, <name>-phone.png (390 px wide). The README shows them.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import DevelopmentConfig  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.demo import DEMO_PASSWORD  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP, PHONE = 1280, 390
# (account, screenshot name, path or None for the page a click leads to, phone too?)
PAGES = {
    "engineer@example.com": [
        ("engineer-home", "/", True),
        ("engineer-role", "/progress/roles", True),
        ("engineer-paths", "/progress/paths", False),
        ("engineer-log", "/progress/log", True),
        ("engineer-evidence", "/progress/evidence", False),
    ],
    "manager@example.com": [
        ("manager-home", "/", False),
        ("team-dashboard", "/team/", True),
        ("verify-queue", "/team/verify", True),
    ],
    "ld@example.com": [
        ("company", "/team/company", True),
        ("catalogue", "/catalogue/", False),
        ("coverage", "/catalogue/roles/ml-engineer/coverage", False),
        ("module-edit", "/catalogue/modules/mlcc-classification", False),
        ("path-edit", "/catalogue/paths/swe-to-ml-engineer", True),
    ],
    "admin@example.com": [
        ("admin-people", "/admin/people", True),
        ("account", "/auth/account", False),
    ],
}


def serve(database: str) -> tuple[str, object]:
    """Load the demo into `database` and serve it; return its address and the server."""
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database, REQUIRE_MFA=False)
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo", "seed"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{result.output}")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url, server = serve(f"sqlite:///{folder}/demo.db")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for email, pages in PAGES.items():
                context = browser.new_context(
                    base_url=url, viewport={"width": DESKTOP, "height": 900}
                )
                page = context.new_page()
                log_in(page, email)
                for name, path, phone in pages:
                    for width, suffix in [(DESKTOP, "")] + ([(PHONE, "-phone")] if phone else []):
                        page.set_viewport_size(
                            {"width": width, "height": 900 if width == DESKTOP else 800}
                        )
                        response = page.goto(path)
                        if response is None or response.status != 200:
                            raise SystemExit(f"{path} answered {response and response.status}")
                        page.wait_for_load_state("networkidle")
                        target = OUT / f"{name}{suffix}.png"
                        page.screenshot(path=str(target), full_page=width == PHONE)
                        print(target.relative_to(ROOT))
                context.close()
            browser.close()
        server.shutdown()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
