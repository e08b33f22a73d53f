"""End to end: a learning platform reports a course the tracker does not know; L&D map it to a
module in the browser, and the engineer's readiness rises with the statement that waited."""

import base64
import json
import urllib.request
import uuid

from playwright.sync_api import expect

from tests.browser.test_login import log_in
from tests.catalogue_fixtures import SMALL
from tracker.extensions import db
from tracker.models import Role
from tracker.operations.tokens import create_integration

COURSE = "https://lms.example.com/courses/classification-101"


def send(url: str, secret: str, statement: dict) -> int:
    request = urllib.request.Request(  # noqa: S310  (our own local server, http)
        f"{url}/xapi/statements",
        data=json.dumps(statement).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
            "Authorization": "Basic " + base64.b64encode(f"lms:{secret}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310  (our own local server)
        return answer.status


def test_ld_maps_a_waiting_activity_and_readiness_rises(browser, live_server):
    live_server.load_catalogue(SMALL)
    live_server.make_user(email="ld@corp.example.com", name="Lee Learning", roles=[Role.LD])
    live_server.make_user(email="erin@corp.example.com", name="Erin", roles=[Role.ENGINEER])
    with live_server.app.app_context():
        _, secret = create_integration("Course platform", ["xapi"], None)
        db.session.commit()
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:erin@corp.example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": COURSE, "definition": {"name": {"en-US": "Classification 101"}}},
        "result": {"score": {"scaled": 0.9}},
        "timestamp": "2026-11-02T09:30:00Z",
    }
    assert send(live_server.url, secret, statement) == 200

    engineer = browser.new_context(base_url=live_server.url).new_page()
    log_in(engineer, "erin@corp.example.com")
    expect(engineer.get_by_role("cell", name="0.0%")).to_be_visible()

    ld = browser.new_context(base_url=live_server.url).new_page()
    log_in(ld, "ld@corp.example.com")
    ld.get_by_role("link", name="Catalogue").click()
    expect(ld.get_by_text("1 statement waits for a mapping.")).to_be_visible()
    ld.get_by_role("link", name="Statements from learning platforms").click()
    row = ld.locator(f'tr[data-activity="{COURSE}"]')
    expect(row).to_contain_text("Classification 101")
    row.get_by_label("Module for Classification 101").select_option(
        label="Classification: thresholds, ROC and AUC"
    )
    row.get_by_role("button", name="Map").click()
    expect(ld.get_by_text("1 waiting statement became evidence.")).to_be_visible()
    expect(ld.get_by_text("Every activity is mapped.")).to_be_visible()

    engineer.reload()
    expect(engineer.get_by_role("cell", name="44.4%")).to_be_visible()
