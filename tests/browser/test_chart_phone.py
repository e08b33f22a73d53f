"""In a real browser, a phone shows each chart's narrow drawing and a desktop its wide one."""

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker.chart_layout import NARROW
from tracker.models import Role


def shown_charts(page):  # type: ignore[no-untyped-def]
    """Return what the browser chose and drew for each chart on the page."""
    images = page.locator("figure.chart img")
    for i in range(images.count()):
        expect(images.nth(i)).to_have_js_property("complete", True)
    return images.evaluate_all(
        """images => images.map(img => ({src: img.currentSrc, shown: img.clientWidth,
            width: img.naturalWidth, height: img.naturalHeight}))"""
    )


def test_a_phone_shows_the_narrow_charts_and_a_desktop_the_wide_ones(page, live_server):
    live_server.load_catalogue(SMALL)
    lead = live_server.make_user(email="lead@corp.test", name="Lee", roles=[Role.MANAGER])
    erin = live_server.make_user(email="erin@corp.test", name="Erin")
    live_server.make_team(name="Payments", managers=[lead], members=[erin])
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, "lead@corp.test")
    page.goto("/team/")
    expect(page.get_by_role("heading", name="Payments: ready for ML Engineer?")).to_be_visible()
    phone = shown_charts(page)
    assert len(phone) == 4
    for chart in phone:
        assert "size=narrow" in chart["src"]
        assert chart["height"] > chart["width"] > 0  # taller than wide
        assert 300 <= chart["shown"] <= 360  # the card's width, never wider than the screen
        # no text under 10 points on a 3.6 inch picture: at least 11 px as shown
        assert 10 / 72 * chart["shown"] / NARROW.width >= 11
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    for chart in shown_charts(page):
        assert "size=" not in chart["src"] and chart["width"] in (800, 900)
