"""Guards: the last active admin stays one; destructive buttons ask before they post."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.admin.people import AdminRuleError, set_active, update_person
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import AuditEvent, Enrolment, LearningPath, Role, User
from tracker.operations.enrolments import enrol
from tracker.operations.tokens import create_integration, issue_token

HEADER = "email,name,team,manager_email,roles\n"


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action)))


# The last active admin ----------------------------------------------------------------------


def test_the_last_active_admin_cannot_lose_the_admin_role(make_user):
    admin = make_user(email="only@corp.test", roles=[Role.ADMIN, Role.ENGINEER])
    make_user(email="gone@corp.test", roles=[Role.ADMIN], active=False)
    lead = make_user(roles=[Role.MANAGER])
    with pytest.raises(AdminRuleError, match="only@corp.test: they are the last active admin"):
        update_person(admin, lead, admin.name, {Role.ENGINEER}, None)
    db.session.rollback()
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN, Role.ENGINEER}
    assert "role.changed" not in audit_actions()


def test_the_last_active_admin_cannot_be_deactivated(make_user):
    admin = make_user(email="only@corp.test", roles=[Role.ADMIN])
    lead = make_user(roles=[Role.MANAGER])
    with pytest.raises(AdminRuleError, match="cannot deactivate only@corp.test"):
        set_active(admin, lead, False)
    db.session.rollback()
    db.session.refresh(admin)
    assert admin.active
    assert "person.deactivated" not in audit_actions()


def test_an_admin_may_demote_or_deactivate_another_admin(client, login_as, make_user):
    me = make_user(roles=[Role.ADMIN])
    other = make_user(roles=[Role.ADMIN, Role.ENGINEER])
    third = make_user(roles=[Role.ADMIN])
    login_as(me)
    form = {"name": other.name, "roles": ["engineer"], "team_id": ""}
    assert client.post(f"/admin/people/{other.id}", data=form).status_code == 302
    assert client.post(f"/admin/people/{third.id}/deactivate").status_code == 302
    db.session.refresh(other)
    db.session.refresh(third)
    assert other.roles == {Role.ENGINEER} and not third.active


def test_deactivating_yourself_says_why_and_changes_nothing(client, login_as, make_user):
    admin = make_user(roles=[Role.ADMIN])
    make_user(roles=[Role.ADMIN])
    page = login_as(admin).post(f"/admin/people/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in page.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active
    assert "person.deactivated" not in audit_actions()


def test_a_roster_that_removes_every_active_admin_is_refused(runner, tmp_path, make_user):
    make_user(email="root@corp.test", name="Root", roles=[Role.ADMIN])
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "root@corp.test,Root,,,engineer\nnew@corp.test,New,,,engineer\n")
    result = runner.invoke(args=["roster", "import", str(roster)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "line 2, column roles: root@corp.test is an active admin" in result.output
    root = db.session.scalar(db.select(User).where(User.email == "root@corp.test"))
    assert root.roles == {Role.ADMIN}
    assert db.session.scalar(db.select(User).where(User.email == "new@corp.test")) is None


def test_a_roster_may_hand_the_admin_role_to_someone_else(runner, tmp_path, make_user):
    make_user(email="root@corp.test", name="Root", roles=[Role.ADMIN])
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "root@corp.test,Root,,,engineer\nnext@corp.test,Next,,,admin\n")
    result = runner.invoke(args=["roster", "import", str(roster)])
    assert result.exit_code == 0, result.output
    people = {u.email: u.roles for u in db.session.scalars(db.select(User))}
    assert people == {"root@corp.test": {Role.ENGINEER}, "next@corp.test": {Role.ADMIN}}


def test_the_roster_page_refuses_to_remove_the_last_admin(client, login_as, make_user):
    admin = make_user(email="root@corp.test", name="Root", roles=[Role.ADMIN])
    text = HEADER + "root@corp.test,Root,,,engineer\n"
    response = login_as(admin).post(
        "/admin/roster",
        data={"file": (io.BytesIO(text.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "root@corp.test is an active admin" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN}


# Destructive actions ask for confirmation --------------------------------------------------


class PostForms(HTMLParser):
    """Collects each POST form's action, whether it sits in a confirming disclosure, and the
    text of that disclosure, and whether the form carries a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, object]] = {}
        self._details: list[list[str]] = []  # text of each open <details class="confirm">
        self._form: dict[str, object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "details":
            self._details.append([] if "confirm" in (attr.get("class") or "").split() else None)
        elif tag == "form" and (attr.get("method") or "").lower() == "post":
            confirming = [d for d in self._details if d is not None]
            self._form = {"confirm": confirming[-1] if confirming else None, "csrf": False}
            self.forms[attr.get("action") or ""] = self._form
        elif tag == "input" and self._form is not None and attr.get("name") == "csrf_token":
            self._form["csrf"] = bool(attr.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self._details:
            self._details.pop()
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        for text in self._details:
            if text is not None:
                text.append(data)


def post_forms(page: str) -> dict[str, dict[str, object]]:
    parser = PostForms()
    parser.feed(page)
    return parser.forms


def assert_confirmed(page: str, action: str, *words: str) -> None:
    form = post_forms(page).get(action)
    assert form is not None, f"no POST form to {action}"
    assert form["confirm"] is not None, f"{action} posts at once, without asking first"
    text = " ".join("".join(form["confirm"]).split())
    for word in words:
        assert word in text, f"the confirmation of {action} does not say {word!r}: {text!r}"
    assert form["csrf"], f"the form to {action} carries no CSRF token"


def test_deactivating_a_person_asks_first(client, login_as, make_user):
    person = make_user(name="Ana Ng")
    page = login_as(make_user(roles=[Role.ADMIN])).get(f"/admin/people/{person.id}")
    html = page.get_data(as_text=True)
    assert_confirmed(html, f"/admin/people/{person.id}/deactivate", "Deactivate Ana Ng?", "session")
    assert post_forms(html)[f"/admin/people/{person.id}/invite"]["confirm"] is None


def test_revoking_a_token_asks_first(client, login_as, make_user):
    person = make_user()
    token, _ = issue_token(person, "laptop")
    db.session.commit()
    page = login_as(person).get("/account/tokens").get_data(as_text=True)
    assert_confirmed(page, f"/account/tokens/{token.id}/revoke", "stop working", token.prefix)


def test_revoking_an_integration_asks_first(client, login_as, make_user):
    integration, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    page = login_as(make_user(roles=[Role.ADMIN])).get("/admin/integrations")
    action = f"/admin/integrations/{integration.id}/revoke"
    assert_confirmed(page.get_data(as_text=True), action, "Revoke Course platform?")


@pytest.mark.parametrize("kind, key", [("modules", "capstone"), ("paths", "swe-to-mle")])
def test_archiving_a_catalogue_item_asks_first(client, login_as, make_user, kind, key):
    import_text(SMALL, "small.yaml")
    page = login_as(make_user(roles=[Role.LD])).get(f"/catalogue/{kind}/{key}")
    action = f"/catalogue/{kind}/{key}/archive"
    assert_confirmed(page.get_data(as_text=True), action, key, "restore")


def test_leaving_an_assigned_path_asks_first_and_names_who_assigned_it(client, login_as, make_user):
    import_text(SMALL, "small.yaml")
    lead = make_user(name="Lee Lead", roles=[Role.MANAGER])
    engineer = make_user()
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == "swe-to-mle"))
    enrol(engineer, path, lead, None, clock.today())
    db.session.commit()
    html = login_as(engineer).get("/progress/paths").get_data(as_text=True)
    assert_confirmed(html, "/progress/paths/swe-to-mle/leave", "Lee Lead assigned it", "stays")
    assert client.post("/progress/paths/swe-to-mle/leave").status_code == 302
    assert db.session.scalar(db.select(Enrolment.left_at)) is not None
