"""Every page each kind of user can reach, in Chromium at desktop and phone widths: axe finds no
serious or critical violation, nothing is wider than the window, no image is broken and the
console logs no error.

The sweep starts at each demo persona's home page and follows every link it finds there and on
the pages it reaches (same site; downloads, charts' files and the API left out), one page per
route, so a new page joins the sweep as soon as a link leads to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.exceptions import HTTPException

from tracker.clock import today
from tracker.extensions import db

WIDTHS = {"desktop": 1280, "phone": 390}
PERSONAS = ("engineer", "manager", "ld", "admin")
LEFT_OUT = (".png", ".svg", ".csv", "/api/", "/xapi/", "/auth/logout")
SERIOUS = {"serious", "critical"}
axe = Axe()


@dataclass
class Finding:
    """Something wrong on one page at one width."""

    path: str
    width: int
    what: str

    def __str__(self) -> str:
        return f"{self.path} at {self.width} px: {self.what}"


@pytest.fixture
def demo(live_server):
    """The demo organisation (as `flask demo seed` loads it) in the served app's database."""
    from tracker.catalogue.service import load_default_catalogue
    from tracker.demo import seed_people
    from tracker.demo_history import generate_history

    with live_server.app.app_context():
        seed_people(48, seed=1)
        load_default_catalogue()
        generate_history(1, today(), evidence=12)
        db.session.commit()
    return live_server


def _route(app, url: str) -> str | None:
    """Return the page `url` opens: its endpoint, and for the catalogue the kind of item (one
    page of each is swept); None for no page."""
    parts = urlsplit(url)
    try:
        endpoint, args = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return None
    return f"{endpoint} {args.get('kind', '')}".strip()


def _links(page, base: str, here: str) -> Iterator[str]:
    for href in page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.getAttribute('href'))"
    ):
        if not href or href.startswith(("#", "mailto:")) or "download" in href:
            continue
        url = urljoin(here, href)
        if url.startswith(base) and not any(part in url for part in LEFT_OUT):
            yield url


def _check(page, url: str, width: int, errors: list[str]) -> list[Finding]:
    """Open `url` at `width` and return what is wrong there (`errors`: the console's, kept)."""
    path = urlsplit(url).path
    errors.clear()
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    found = [Finding(path, width, f"answered {response.status}")] if response.status >= 400 else []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        found.append(Finding(path, width, f"the page is {wide} px wide"))
    broken = page.eval_on_selector_all(
        "img", "images => images.filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"
    )
    found += [Finding(path, width, f"broken image {src}") for src in broken]
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(Finding(path, width, f"axe {violation['id']} on {targets}"))
    found += [Finding(path, width, f"console error: {text}") for text in errors]
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_persona_reaches_passes_axe_and_fits(browser, demo, persona):
    context = browser.new_context(base_url=demo.url, bypass_csp=True)  # axe is injected
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/auth/login")
    page.get_by_label("Email").fill(f"{persona}@example.com")
    page.get_by_label("Password").fill("learn-ml-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{demo.url}/")
    swept: dict[str, str] = {}
    queue = [page.url]
    findings: list[Finding] = []
    while queue:
        url = queue.pop(0)
        route = _route(demo.app, url)
        if route is None or route in swept:
            continue
        swept[route] = url
        if "text/html" not in page.request.get(url).headers.get("content-type", ""):
            continue  # a file to download (an export), not a page
        for width in WIDTHS.values():
            findings += _check(page, url, width, errors)
        queue += [
            link for link in _links(page, demo.url, url) if _route(demo.app, link) not in swept
        ]
    context.close()
    assert len(swept) >= 5, swept  # the sweep reached past the home page
    assert not findings, "\n".join(map(str, findings))
