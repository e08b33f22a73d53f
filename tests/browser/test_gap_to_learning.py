"""End to end: from the next step on the home page to a logged quiz and the readiness it
raised, then the role page with the engineer's own levels."""

import re

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker.models import Role

QUIZ = "Classification: thresholds, ROC and AUC"


def test_log_it_from_the_next_step_then_see_the_role_explained(page, live_server):
    live_server.load_catalogue(SMALL)
    live_server.make_user(email="erin@corp.test", name="Erin Engineer", roles=[Role.ENGINEER])
    log_in(page, "erin@corp.test")
    page.get_by_role("link", name="Paths", exact=True).click()
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("You are on Software engineer to ML engineer.")).to_be_visible()

    page.get_by_role("link", name="Home").click()
    next_step = page.get_by_role("listitem").filter(has_text="next step")
    expect(
        next_step.get_by_role(
            "link", name=re.compile(f"^{re.escape(QUIZ)} \\(course at example.org")
        )
    ).to_have_attribute("href", "https://example.org/course/classification")
    next_step.get_by_role("link", name="Log it").click()

    expect(page.get_by_role("heading", name="Log progress")).to_be_visible()
    expect(page.get_by_label("Module")).to_have_value("mlcc-classification")
    page.get_by_label("I took its assessment").check()
    page.get_by_label("Score (%)").fill("85")
    page.get_by_role("button", name="Log it").click()
    # model evaluation 2 of 3 (weight 2), pipelines 0 of 2: 100 * (2 * 2/3) / 3
    expect(page.get_by_text("Logged. Readiness for ML Engineer: 0.0% → 44.4%.")).to_be_visible()

    page.get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="ML Engineer", level=1)).to_be_visible()
    evaluation = page.get_by_role("row", name=re.compile("^Model evaluation"))
    expect(evaluation.get_by_role("cell")).to_have_text(
        [
            "Model evaluation (counts 2×)",
            "Required: 3 Practitioner",
            "You have demonstrated: 2 Working",
            "You claim: —",
            re.compile("Capstone"),
        ]
    )
    pipelines = page.get_by_role("row", name=re.compile("^ML pipelines"))
    expect(pipelines.get_by_role("link", name=re.compile("^Log it"))).to_have_count(2)
    chart = page.get_by_role("img", name=re.compile("Demonstrated, required and claimed"))
    expect(chart).to_be_visible()
    page.wait_for_load_state("load")
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
