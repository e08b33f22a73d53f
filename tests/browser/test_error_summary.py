"""After a failed submit the page starts with what is wrong, focused, linking to each field."""

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker.models import Role


def test_a_failed_submit_focuses_the_summary_which_leads_to_the_field(page, live_server):
    live_server.load_catalogue(SMALL)
    live_server.make_user(email="erin@corp.test", name="Erin", roles=[Role.ENGINEER])
    log_in(page, "erin@corp.test")
    page.goto("/progress/log")
    page.get_by_role("button", name="Log it").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name="Module: Choose a module.").click()
    expect(page.get_by_label("Module")).to_be_focused()
