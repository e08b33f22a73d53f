"""End to end: an engineer logs work that needs verification; the manager approves it; the
engineer's readiness rises on their home page."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.models import Role


def test_verified_evidence_raises_readiness(browser, live_server):
    live_server.load_catalogue(SMALL)
    lead = live_server.make_user(email="lead@corp.test", name="Lee Lead", roles=[Role.MANAGER])
    erin = live_server.make_user(email="erin@corp.test", name="Erin", roles=[Role.ENGINEER])
    live_server.make_team(name="Payments", managers=[lead], members=[erin])

    engineer = browser.new_context(base_url=live_server.url).new_page()
    log_in(engineer, "erin@corp.test")
    engineer.get_by_role("link", name="Log progress").click()
    engineer.get_by_label("Module").select_option("pipelines-101")
    engineer.get_by_label("I completed it").check()
    engineer.get_by_label("Date").fill((clock.today() - timedelta(days=2)).isoformat())
    engineer.get_by_label("Evidence link").fill("https://git.example.com/erin/pipelines")
    engineer.get_by_role("button", name="Log it").click()
    expect(engineer.get_by_text("It counts once your manager verifies it.")).to_be_visible()
    engineer.goto("/")
    expect(engineer.get_by_role("cell", name="0.0%")).to_be_visible()

    manager = browser.new_context(base_url=live_server.url).new_page()
    log_in(manager, "lead@corp.test")
    manager.get_by_role("link", name="Verify 1").click()
    manager.get_by_role("checkbox", name=re.compile("of Erin")).check()
    manager.get_by_role("button", name="Verify chosen").click()
    expect(manager.get_by_text("Verified 1 piece of evidence.")).to_be_visible()

    engineer.goto("/")
    expect(engineer.get_by_role("cell", name="33.3%")).to_be_visible()
    engineer.goto("/progress/evidence")
    expect(engineer.get_by_text("counts", exact=True)).to_be_visible()
    expect(engineer.get_by_text(re.compile("verified by Lee Lead on"))).to_be_visible()


def test_a_manager_decides_one_row_where_it_stands(browser, live_server):
    live_server.load_catalogue(SMALL)
    lead = live_server.make_user(email="lead@corp.test", name="Lee Lead", roles=[Role.MANAGER])
    erin = live_server.make_user(email="erin@corp.test", name="Erin", roles=[Role.ENGINEER])
    omar = live_server.make_user(email="omar@corp.test", name="Omar", roles=[Role.ENGINEER])
    live_server.make_team(name="Payments", managers=[lead], members=[erin, omar])
    for email in ("erin@corp.test", "omar@corp.test"):
        page = browser.new_context(base_url=live_server.url).new_page()
        log_in(page, email)
        page.goto("/progress/log")
        page.get_by_label("Module").select_option("pipelines-101")
        page.get_by_label("I completed it").check()
        page.get_by_label("Date").fill((clock.today() - timedelta(days=2)).isoformat())
        page.get_by_label("Evidence link").fill(f"https://git.example.com/{email}/pipelines")
        page.get_by_role("button", name="Log it").click()
        page.context.close()

    manager = browser.new_context(base_url=live_server.url).new_page()
    log_in(manager, "lead@corp.test")
    manager.goto("/team/verify")
    manager.get_by_role("button", name="Verify Pipelines of Erin").click()
    expect(manager.get_by_text("Verified 1 piece of evidence.")).to_be_visible()
    expect(manager.get_by_role("button", name="Verify Pipelines of Erin")).to_have_count(0)

    manager.get_by_text("Reject…").click()
    reason = manager.get_by_label("Reason (the engineer sees it)")
    reason.fill("The link shows a rule set, not a model.")
    manager.get_by_role("button", name="Reject Pipelines of Omar").click()
    expect(manager.get_by_text("Rejected 1 piece of evidence.")).to_be_visible()
    expect(manager.get_by_text("Nothing waits for verification.")).to_be_visible()
