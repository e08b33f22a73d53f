"""In a real browser, L&D create a competency, a role, a module and a path."""

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tracker.models import Role


def test_ld_authors_a_small_curriculum(page, live_server):
    live_server.make_user(email="ld@corp.test", name="Lee", roles=[Role.LD])
    log_in(page, "ld@corp.test")
    page.get_by_role("link", name="Catalogue").click()

    page.get_by_role("link", name="Competencies").click()
    page.get_by_role("link", name="New competency").click()
    page.get_by_label("Key").fill("model-evaluation")
    page.get_by_label("Name").fill("Model evaluation")
    page.get_by_label("Family").select_option("data")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the competency model-evaluation.")).to_be_visible()

    page.goto("/catalogue/roles/new")
    page.get_by_label("Key").fill("ml-engineer")
    page.get_by_label("Name").fill("ML Engineer")
    page.get_by_label("Competency, row 1").select_option("model-evaluation")
    page.get_by_label("Level, row 1").select_option("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the target role ml-engineer.")).to_be_visible()

    page.goto("/catalogue/modules/new")
    page.get_by_label("Key").fill("mlcc-classification")
    page.get_by_label("Title").fill("<script>alert(1)</script> Classification")
    page.get_by_label("Estimated hours").fill("3")
    page.get_by_label("Assessment").select_option("quiz")
    page.get_by_label("Pass mark (%)").fill("70")
    page.get_by_label("Competency, row 1").select_option("model-evaluation")
    page.get_by_label("Level, row 1").select_option("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the module mlcc-classification.")).to_be_visible()

    page.goto("/catalogue/paths/new")
    page.get_by_label("Key").fill("swe-to-mle")
    page.get_by_label("Name").fill("Software engineer to ML engineer")
    page.get_by_label("Target role").select_option("ml-engineer")
    page.get_by_label("Module 1", exact=True).select_option("mlcc-classification")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the learning path swe-to-mle.")).to_be_visible()

    page.goto("/catalogue/roles/ml-engineer/coverage")
    expect(
        page.get_by_role("link", name="<script>alert(1)</script> Classification")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Software engineer to ML engineer")).to_be_visible()
