"""After a dry run of a catalogue or roster file, "Apply these changes" applies the same file:
checked again, whole or not at all, and a reload of the next page applies nothing again."""

from __future__ import annotations

import io
import re
from html import unescape

from tests.catalogue_fixtures import SMALL
from tests.test_roster import GOOD
from tracker.extensions import db
from tracker.models import LearningPath, Role, User


def apply_form(page: str) -> tuple[str, dict[str, str]]:
    """Return the action and fields of the page's Apply form, as a browser would send them."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form, "no Apply form"
    body = form.group(2)
    (content,) = re.findall(r"<textarea name=\"content\"[^>]*>\n?(.*?)</textarea>", body, re.S)
    (filename,) = re.findall(r'name="filename" value="([^"]*)"', body)
    return form.group(1), {"content": unescape(content), "filename": unescape(filename)}


def test_a_catalogue_dry_run_offers_to_apply_the_same_file(client, login_as, make_user):
    login_as(make_user(roles=[Role.LD]))
    dry = client.post(
        "/catalogue/",
        data={"file": (io.BytesIO(SMALL.encode()), "small.yaml"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    page = dry.get_data(as_text=True)
    assert "Apply these changes" in page
    action, fields = apply_form(page)
    assert action == "/catalogue/apply" and fields == {"content": SMALL, "filename": "small.yaml"}
    assert db.session.scalar(db.select(LearningPath)) is None  # the dry run changed nothing
    done = client.post(action, data=fields)
    assert done.status_code == 303
    assert "Imported." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(db.select(LearningPath.key)) == "swe-to-mle"


def test_a_file_changed_since_its_dry_run_is_checked_again(client, login_as, make_user):
    login_as(make_user(roles=[Role.LD]))
    broken = SMALL.replace("level: 3, weight: 2", "level: 5, weight: 2")
    refused = client.post("/catalogue/apply", data={"content": broken, "filename": "small.yaml"})
    assert refused.status_code == 422
    assert "must be 1 to 4" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(LearningPath)) is None
    assert client.post("/catalogue/apply", data={"content": ""}).status_code == 400


def test_a_roster_dry_run_offers_to_apply_the_same_file(client, login_as, make_user):
    login_as(make_user(roles=[Role.ADMIN]))
    dry = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(GOOD.encode()), "people.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    action, fields = apply_form(dry.get_data(as_text=True))
    assert action == "/admin/roster/apply" and fields["content"] == GOOD
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    done = client.post(action, data=fields)
    assert done.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4


def test_only_who_may_import_may_apply(client, login_as, make_user):
    login_as(make_user(roles=[Role.ENGINEER]))
    assert client.post("/catalogue/apply", data={"content": SMALL}).status_code == 403
    assert client.post("/admin/roster/apply", data={"content": GOOD}).status_code == 403
    assert db.session.scalar(db.select(LearningPath)) is None
