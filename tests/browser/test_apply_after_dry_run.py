"""In Chromium: check a catalogue file with a dry run, then apply it with one click."""

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker.models import Role


def test_ld_checks_a_catalogue_file_then_applies_it(page, live_server, tmp_path):
    live_server.make_user(email="lee@corp.test", name="Lee", roles=[Role.LD])
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(SMALL, encoding="utf-8")
    log_in(page, "lee@corp.test")
    page.goto("/catalogue/")
    page.get_by_label("Catalogue file (YAML or JSON)").set_input_files(str(catalogue))
    expect(page.get_by_label("Dry run: only show what would change")).to_be_checked()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Dry run: nothing was changed.")).to_be_visible()
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("heading", name="Imported.")).to_be_visible()
    page.goto("/catalogue/paths/")
    expect(page.get_by_role("link", name="Software engineer to ML engineer")).to_be_visible()
