"""Guards: the last admin stays; destructive buttons ask first; a POST answers a redirect."""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser

import pyotp
import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.admin.people import AdminRuleError, set_active, update_person
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.links import issue_link
from tracker.models import (
    ApiToken,
    AuditEvent,
    Competency,
    Enrolment,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Integration,
    LearningPath,
    LinkPurpose,
    Module,
    OneTimeLink,
    Role,
    StaffingTarget,
    User,
)
from tracker.operations.enrolments import enrol
from tracker.operations.targets import set_target
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


def test_retiring_a_staffing_target_asks_first_and_keeps_the_view(
    client, login_as, make_user, make_team
):
    import_text(SMALL, "small.yaml")
    lead = make_user(roles=[Role.MANAGER])
    team = make_team(name="Payments", managers=[lead])
    by = clock.today().replace(year=clock.today().year + 1)
    set_target(team.id, "ml-engineer", "3", str(by), lead, clock.today())
    db.session.commit()
    target = db.session.scalar(db.select(StaffingTarget))
    as_of = str(clock.today())
    view = f"/team/{team.id}/?role=ml-engineer&as_of={as_of}&sort=name"
    html = login_as(lead).get(view).get_data(as_text=True)
    action = f"/team/{team.id}/targets/{target.id}/archive"
    assert_confirmed(html, action, "Retire the target of 3", by.isoformat(), "record stays")
    parser = HiddenInputs(action)
    parser.feed(html)
    assert parser.fields.pop("csrf_token")
    assert parser.fields == {"role": "ml-engineer", "as_of": as_of, "sort": "name"}
    retired = client.post(action, data=parser.fields)
    assert retired.status_code == 302
    assert retired.headers["Location"].endswith(view)  # back to what the manager viewed
    assert db.session.get(StaffingTarget, target.id).archived_at is not None


class HiddenInputs(HTMLParser):
    """Collects the hidden inputs of the POST form to one action."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form":
            self.inside = attr.get("action") == self.action
        elif self.inside and tag == "input" and attr.get("type") == "hidden":
            self.fields[attr.get("name")] = attr.get("value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


# A successful POST answers a redirect, so reloading the next page posts nothing again -------

# The JSON and xAPI surfaces answer their callers with data (201/200), not pages.
NOT_PAGES = ("/api/", "/xapi/", "/scim/")
# The page after these shows the secret the POST made (a link, a token), once.
SECRET_SHOWN = 'class="secret"'
PASSWORD = "correct horse battery"  # tests/factories.py
LOGGED_IN = 'action="/auth/logout"'  # the page after a redirect shows a logged-in person


@pytest.fixture
def org(make_user, make_team):
    """Everyone a POST needs: an engineer with pending evidence, their manager, L&D, an admin."""
    import_text(SMALL, "small.yaml")
    engineer = make_user(email="eng@corp.example.com", name="Eng")
    lead = make_user(email="lead@corp.test", name="Lead", roles=[Role.MANAGER, Role.ENGINEER])
    team = make_team(name="Payments", managers=[lead], members=[engineer, lead])
    people = {
        "engineer": engineer,
        "manager": lead,
        "ld": make_user(email="ld@corp.test", roles=[Role.LD]),
        "admin": make_user(email="admin@corp.test", roles=[Role.ADMIN]),
    }
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    pending = Evidence(
        user_id=engineer.id,
        module_id=module,
        kind=EvidenceKind.COMPLETION,
        date=clock.today(),
        status=EvidenceStatus.PENDING,
        recorded_by_id=engineer.id,
    )
    db.session.add(pending)
    token, _ = issue_token(engineer, "laptop")
    integration, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    return {"team": team, "pending": pending, "token": token, "integration": integration} | people


def upload(text: str, name: str) -> dict[str, object]:
    return {"data": {"file": (io.BytesIO(text.encode()), name)}, "content_type": MULTIPART}


MULTIPART = "multipart/form-data"
SUCCESSFUL_POSTS: dict[str, tuple[str, object, str]] = {}


def posts(endpoint: str, persona: str, shows: str = "flash-success"):
    """Register how `persona` makes a successful POST to `endpoint`: a function of (client, org)
    that prepares what it needs and returns (path, keyword arguments of client.post). The page
    the redirect leads to `shows` that it worked."""

    def register(make):
        SUCCESSFUL_POSTS[endpoint] = (persona, make, shows)
        return make

    return register


@posts("auth.login", "anonymous", shows=LOGGED_IN)
def _(client, org):
    return "/auth/login", {"data": {"email": "eng@corp.example.com", "password": PASSWORD}}


@posts("auth.logout", "engineer", shows="You are logged out.")
def _(client, org):
    return "/auth/logout", {}


@posts("auth.change_password", "engineer")
def _(client, org):
    new = "another fine passphrase"
    return "/auth/account/password", {
        "data": {"current": PASSWORD, "password": new, "confirm": new}
    }


@posts("auth.sign_out_everywhere", "engineer", shows="You are signed out on every device.")
def _(client, org):
    return "/auth/account/sign-out-everywhere", {}


@posts("auth.mfa_setup", "engineer")
def _(client, org):
    client.get("/auth/mfa/setup")
    with client.session_transaction() as sess:
        secret = sess["mfa_setup_secret"]
    return "/auth/mfa/setup", {"data": {"code": pyotp.TOTP(secret).now()}}


@posts("auth.mfa", "anonymous", shows=LOGGED_IN)
def _(client, org):
    org["ld"].totp_secret = pyotp.random_base32()
    db.session.commit()
    client.post("/auth/login", data={"email": "ld@corp.test", "password": PASSWORD})
    return "/auth/mfa", {"data": {"code": pyotp.TOTP(org["ld"].totp_secret).now()}}


@posts("auth.reset_request", "anonymous", shows="flash-info")
def _(client, org):
    return "/auth/reset", {"data": {"email": "eng@corp.example.com"}}


@posts("auth.set_password", "anonymous", shows=LOGGED_IN)
def _(client, org):
    token = issue_link(org["engineer"], LinkPurpose.RESET)
    db.session.commit()
    new = "another fine passphrase"
    return f"/auth/set-password/{token}", {"data": {"password": new, "confirm": new}}


@posts("notify.mark_read", "engineer", shows=LOGGED_IN)
def _(client, org):
    return "/notifications/read", {}


@posts("admin.person_new", "admin", shows=SECRET_SHOWN)
def _(client, org):
    data = {"email": "new@corp.test", "name": "New", "roles": ["engineer"], "team_id": ""}
    return "/admin/people/new", {"data": data}


@posts("admin.person_edit", "admin")
def _(client, org):
    data = {"name": "Eng Renamed", "roles": ["engineer"], "team_id": str(org["team"].id)}
    return f"/admin/people/{org['engineer'].id}", {"data": data}


@posts("admin.person_deactivate", "admin")
def _(client, org):
    return f"/admin/people/{org['engineer'].id}/deactivate", {}


@posts("admin.person_reactivate", "admin")
def _(client, org):
    org["engineer"].active = False
    db.session.commit()
    return f"/admin/people/{org['engineer'].id}/reactivate", {}


@posts("admin.person_invite", "admin", shows=SECRET_SHOWN)
def _(client, org):
    return f"/admin/people/{org['engineer'].id}/invite", {}


@posts("admin.team_new", "admin")
def _(client, org):
    return "/admin/teams/new", {"data": {"name": "Search", "managers": [str(org["manager"].id)]}}


@posts("admin.team_edit", "admin")
def _(client, org):
    data = {"name": "Payments Core", "managers": [str(org["manager"].id)]}
    return f"/admin/teams/{org['team'].id}", {"data": data}


@posts("admin.roster", "admin", shows="Imported.")
def _(client, org):
    return "/admin/roster", upload(HEADER + "new@corp.test,New,Payments,,engineer\n", "r.csv")


@posts("admin.roster_apply", "admin", shows="Imported.")
def _(client, org):
    text = HEADER + "new@corp.test,New,Payments,,engineer\n"
    return "/admin/roster/apply", {"data": {"content": text, "filename": "r.csv"}}


@posts("admin.integration_create", "admin", shows=SECRET_SHOWN)
def _(client, org):
    return "/admin/integrations", {"data": {"name": "Directory", "scope": ["scim"]}}


@posts("admin.integration_revoke", "admin")
def _(client, org):
    return f"/admin/integrations/{org['integration'].id}/revoke", {}


@posts("engineer.log", "engineer")
def _(client, org):
    data = {"module": "mlcc-classification", "kind": "completion", "on": str(clock.today())}
    return "/progress/log", {"data": data}


@posts("engineer.withdraw", "engineer")
def _(client, org):
    return f"/progress/evidence/{org['pending'].id}/withdraw", {}


@posts("engineer.enrol_path", "engineer")
def _(client, org):
    return "/progress/paths/swe-to-mle/enrol", {}


@posts("engineer.leave_path", "engineer")
def _(client, org):
    client.post("/progress/paths/swe-to-mle/enrol")
    return "/progress/paths/swe-to-mle/leave", {}


@posts("engineer.self_assessment", "engineer")
def _(client, org):
    competency = db.session.scalar(db.select(Competency.id).limit(1))
    return "/progress/self-assessment", {"data": {f"level-{competency}": "2"}}


@posts("team.add_target", "manager")
def _(client, org):
    by = str(clock.today().replace(year=clock.today().year + 1))
    data = {"role": "ml-engineer", "count": "2", "by": by}
    return f"/team/{org['team'].id}/targets", {"data": data}


@posts("team.archive_target", "manager")
def _(client, org):
    by = clock.today().replace(year=clock.today().year + 1)
    set_target(org["team"].id, "ml-engineer", "2", str(by), org["manager"], clock.today())
    db.session.commit()
    target = db.session.scalar(db.select(StaffingTarget.id))
    return f"/team/{org['team'].id}/targets/{target}/archive", {}


@posts("team.decide_evidence", "manager")
def _(client, org):
    data = {"evidence": [str(org["pending"].id)], "decision": "verified"}
    return "/team/verify", {"data": data}


@posts("team.assign", "manager")
def _(client, org):
    return "/team/assign", {"data": {"path": "swe-to-mle", "engineers": [org["engineer"].id]}}


@posts("authoring.index", "ld", shows="Imported.")
def _(client, org):
    return "/catalogue/", upload(SMALL, "catalogue.yaml")


@posts("authoring.apply", "ld", shows="Imported.")
def _(client, org):
    return "/catalogue/apply", {"data": {"content": SMALL, "filename": "catalogue.yaml"}}


@posts("authoring.new", "ld")
def _(client, org):
    data = {"key": "feature-engineering", "name": "Feature engineering", "family": "data"}
    return "/catalogue/competencies/new", {"data": data}


@posts("authoring.edit", "ld")
def _(client, org):
    data = {"key": "model-evaluation", "name": "Evaluating models", "family": "data"}
    return "/catalogue/competencies/model-evaluation", {"data": data}


@posts("authoring.archive", "ld")
def _(client, org):
    return "/catalogue/modules/capstone/archive", {}


@posts("authoring.restore", "ld")
def _(client, org):
    client.post("/catalogue/modules/capstone/archive")
    return "/catalogue/modules/capstone/restore", {}


@posts("authoring.map_statement_activity", "ld")
def _(client, org):
    data = {"activity": "https://courses.example.com/ml-101", "module": "capstone"}
    return "/catalogue/statements/activities", {"data": data}


@posts("authoring.map_statement_person", "ld")
def _(client, org):
    data = {"address": "eng.home@mail.example.com", "email": "eng@corp.example.com"}
    return "/catalogue/statements/people", {"data": data}


@posts("tokens.create", "engineer", shows=SECRET_SHOWN)
def _(client, org):
    return "/account/tokens", {"data": {"label": "ci"}}


@posts("tokens.revoke", "engineer")
def _(client, org):
    return f"/account/tokens/{org['token'].id}/revoke", {}


def page_posts(app) -> set[str]:
    """Every endpoint a browser posts a form to (not the JSON, xAPI or SCIM surfaces)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith(NOT_PAGES)
    }


def test_every_page_post_is_in_the_redirect_sweep(app):
    missing = sorted(page_posts(app) - SUCCESSFUL_POSTS.keys())
    assert not missing, f"POST routes without a successful POST in the sweep: {missing}"
    stale = sorted(SUCCESSFUL_POSTS.keys() - page_posts(app))
    assert not stale, f"sweep entries for routes that no longer take a POST: {stale}"


@pytest.mark.parametrize("endpoint", sorted(SUCCESSFUL_POSTS))
def test_a_successful_post_answers_a_redirect(client, login_as, org, endpoint):
    persona, make, shows = SUCCESSFUL_POSTS[endpoint]
    if persona != "anonymous":
        login_as(org[persona])
    path, kwargs = make(client, org)
    response = client.post(path, **kwargs)
    assert response.status_code in (302, 303), (
        f"POST {path} as {persona} answered {response.status_code}, not a redirect"
    )
    following = client.get(response.headers["Location"], follow_redirects=True)
    page = following.get_data(as_text=True)
    assert following.status_code == 200 and "flash-error" not in page, page[:3000]
    assert shows in page, f"after POST {path} the page does not show {shows!r}: {page[:3000]}"


# What each POST that shows a secret once makes: one more row of each of these.
MADE_ONCE = {
    "admin.person_new": (User, OneTimeLink),
    "admin.person_invite": (OneTimeLink,),
    "admin.integration_create": (Integration, ApiToken),
    "tokens.create": (ApiToken,),
}
GONE = "was shown once and is no longer available"


def row_counts(models: tuple[type, ...]) -> list[int]:
    return [db.session.scalar(db.select(db.func.count()).select_from(m)) for m in models]


@pytest.mark.parametrize("endpoint", sorted(MADE_ONCE))
def test_a_secret_is_shown_once_after_the_redirect_and_a_reload_makes_nothing(
    client, login_as, org, caplog, endpoint
):
    persona, make, _ = SUCCESSFUL_POSTS[endpoint]
    login_as(org[persona])
    path, kwargs = make(client, org)
    before = row_counts(MADE_ONCE[endpoint])
    caplog.set_level(logging.DEBUG)
    response = client.post(path, **kwargs)
    assert response.status_code == 303
    made = row_counts(MADE_ONCE[endpoint])
    assert made == [n + 1 for n in before]
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    secrets = re.findall(r'<code class="secret">([^<]+)</code>', shown.get_data(as_text=True))
    assert len(secrets) == 1
    secret = secrets[0].rsplit("/", 1)[-1]  # a link's secret is its last segment
    with client.session_transaction() as sess:
        assert secret not in repr(dict(sess))  # gone from the cookie once shown
    reload = client.get(response.headers["Location"])
    assert reload.status_code == 200 and reload.headers["Cache-Control"] == "no-store"
    page = reload.get_data(as_text=True)
    assert secret not in page and GONE in page
    assert 'class="secret"' not in page
    assert row_counts(MADE_ONCE[endpoint]) == made
    audited = db.session.execute(db.select(AuditEvent.target, AuditEvent.detail)).all()
    assert audited and not [row for row in audited if secret in f"{row[0]} {row[1]}"]
    # Only the mail of a link (to the log when no mail server is set) ever holds a secret.
    logged = {record.name for record in caplog.records if secret in record.getMessage()}
    assert logged == ({"tracker.mail"} if "person" in endpoint else set())


def test_a_large_import_reports_its_first_lines_after_the_redirect(client, login_as, make_user):
    rows = "".join(f"staff{i:03}@corp.test,Staff {i},,,engineer\n" for i in range(300))
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post("/admin/roster", **upload(HEADER + rows, "big.csv"))
    assert response.status_code == 303
    assert len(response.headers["Set-Cookie"]) < 4000  # browsers drop bigger cookies
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "300 added" in page and "add staff000@corp.test" in page
    assert "more lines: a dry run of the same file lists every one" in page
    assert "Imported." not in client.get("/admin/roster").get_data(as_text=True)  # shown once


def test_a_dry_run_changes_nothing_so_it_answers_with_its_report(client, login_as, make_user):
    login_as(make_user(roles=[Role.ADMIN]))
    text = HEADER + "new@corp.test,New,,,engineer\n"
    response = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(text.encode()), "r.csv"), "dry_run": "y"},
        content_type=MULTIPART,
    )
    assert response.status_code == 200
    assert "would make" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "new@corp.test")) is None
