"""In a real browser: log in through the form, see the home page, log out."""

from playwright.sync_api import expect

from tests.factories import PASSWORD
from tracker.models import Role


def log_in(page, email, password=PASSWORD):
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_engineer_logs_in_and_out(page, live_server):
    live_server.make_user(email="erin@corp.test", name="Erin Engineer", roles=[Role.ENGINEER])
    log_in(page, "erin@corp.test")
    expect(page.get_by_role("heading", name="Welcome, Erin Engineer")).to_be_visible()
    expect(page.get_by_text("You are not on a learning path yet.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/auth/login?next=%2F")


def test_a_wrong_password_shows_an_error_and_stays_out(page, live_server):
    live_server.make_user(email="erin@corp.test")
    log_in(page, "erin@corp.test", "not the password")
    expect(page.get_by_text("do not match an active account")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_name_with_a_script_tag_shows_as_text_and_runs_nothing(page, live_server):
    live_server.make_user(email="admin@corp.test", name="Admin", roles=[Role.ADMIN])
    live_server.make_user(email="x@corp.test", name="<script>alert(1)</script>")
    log_in(page, "admin@corp.test")
    page.goto("/admin/people")
    expect(page.get_by_role("link", name="<script>alert(1)</script>")).to_be_visible()
    # the page fixture fails the test if any dialog opened


def test_an_admins_many_links_wrap_inside_a_desktop_window(page, live_server):
    live_server.make_user(email="admin@corp.test", name="Ada Admin", roles=[Role.ADMIN])
    page.set_viewport_size({"width": 1200, "height": 800})
    log_in(page, "admin@corp.test")
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    for link in page.get_by_role("navigation", name="Main").get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1200, link.inner_text()


def test_on_a_phone_the_links_fold_behind_menu(page, live_server):
    live_server.make_user(email="admin@corp.test", name="Ada Admin", roles=[Role.ADMIN])
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "admin@corp.test")
    main = page.get_by_role("navigation", name="Main")
    audit = main.get_by_role("link", name="Audit")
    expect(audit).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    main.get_by_role("checkbox", name="Menu").focus()
    page.keyboard.press("Space")  # a keyboard opens it as a tap does
    expect(audit).to_be_visible()
    audit.click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(main.get_by_text("Menu")).to_be_hidden()  # on a desktop the links always show
    expect(main.get_by_role("link", name="Audit")).to_be_visible()
