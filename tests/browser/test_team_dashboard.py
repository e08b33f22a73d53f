"""In a real browser, the team dashboard shows its charts, and a date change redraws them."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.models import Role


def test_the_dashboard_shows_charts_and_a_new_date_redraws_them(page, live_server):
    live_server.load_catalogue(SMALL)
    lead = live_server.make_user(email="lead@corp.test", name="Lee", roles=[Role.MANAGER])
    erin = live_server.make_user(email="erin@corp.test", name="Erin")
    live_server.make_team(name="Payments", managers=[lead], members=[erin])
    log_in(page, "lead@corp.test")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Payments: ready for ML Engineer?")).to_be_visible()
    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(4)
    for i in range(4):
        expect(charts.nth(i)).to_have_js_property("complete", True)
        assert charts.nth(i).evaluate("img => img.naturalWidth") > 0
    before = charts.first.get_attribute("src")
    earlier = (clock.today() - timedelta(days=30)).isoformat()
    page.get_by_label("As of").fill(earlier)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{live_server.url}/team/{_team_id(page)}/?role=ml-engineer&as_of={earlier}&sort=readiness"
    )
    after = page.locator("figure.chart img").first.get_attribute("src")
    assert after != before and f"as_of={earlier}" in after
    redrawn = page.locator("figure.chart img").first
    expect(redrawn).to_have_js_property("complete", True)
    assert redrawn.evaluate("img => img.naturalWidth") > 0


def _team_id(page):
    return page.url.split("/team/")[1].split("/")[0]
