"""End to end, on a phone: an admin adds a person, who sets a password from the invitation and
is in; the admin deactivates them and their open session ends at once."""

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tracker.models import Role

PHONE = {"width": 390, "height": 800}


def test_an_admin_invites_a_person_who_joins_and_is_later_deactivated(browser, live_server):
    live_server.make_user(email="admin@corp.test", name="Ada Admin", roles=[Role.ADMIN])
    live_server.make_team(name="Payments")

    admin = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    log_in(admin, "admin@corp.test")
    admin.get_by_role("checkbox", name="Menu").check()
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    admin.get_by_role("link", name="Add a person").click()
    admin.get_by_label("Email").fill("nia@corp.test")
    admin.get_by_label("Name").fill("Nia Newcomer")
    admin.get_by_label("Engineer").check()
    admin.get_by_label("Team").select_option(label="Payments")
    admin.get_by_role("button", name="Add and invite").click()
    expect(admin.get_by_role("heading", name="Link for Nia Newcomer")).to_be_visible()
    link = admin.locator("code.secret").inner_text().strip()
    assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    newcomer = browser.new_context(viewport=PHONE).new_page()
    newcomer.goto(link)
    newcomer.get_by_label("New password", exact=True).fill("a long phrase of seven words")
    newcomer.get_by_label("Repeat the new password").fill("a long phrase of seven words")
    newcomer.get_by_role("button", name="Set password").click()  # and is logged in
    expect(newcomer.get_by_role("heading", name="Welcome, Nia Newcomer")).to_be_visible()

    admin.get_by_role("link", name="Back to Nia Newcomer").click()
    admin.get_by_text("Deactivate…").click()
    admin.get_by_role("button", name="Deactivate Nia Newcomer").click()
    expect(admin.get_by_text("Nia Newcomer is deactivated.")).to_be_visible()

    newcomer.goto(f"{live_server.url}/progress/evidence")
    expect(newcomer.get_by_role("heading", name="Log in")).to_be_visible()
