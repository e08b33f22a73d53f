"""The security checklist: docs/security.md names a test for every item, and those tests exist.

Also the checks no other module owns: mass assignment, templates that never mark text safe,
SQL that is never built from strings, and downloads named safely.
"""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from config import TestingConfig
from tests.catalogue_fixtures import SMALL
from tests.factories import PASSWORD
from tracker import create_app
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    Enrolment,
    Evidence,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    User,
)
from tracker.operations.tokens import issue_token

ROOT = Path(__file__).resolve().parent.parent
CHECKLIST = ROOT / "docs" / "security.md"
ITEMS = 32  # the items of the security checklist the team works to
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?`")


# --- docs/security.md ----------------------------------------------------------------------


def _rows() -> dict[int, str]:
    """The table rows of docs/security.md by item number."""
    rows = {}
    for line in CHECKLIST.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|", line)
        if match:
            number = int(match.group(1))
            assert number not in rows, f"item {number} has two rows"
            rows[number] = line
    return rows


def _defined(path: Path) -> set[str]:
    """Test functions a module defines: `name` at top level, `Class::name` inside classes."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{inner.name}")
    return names


def test_every_checklist_item_has_a_row_naming_its_tests():
    rows = _rows()
    assert sorted(rows) == list(range(1, ITEMS + 1)), "one row per item, 1 to 32, in the table"
    for number, row in rows.items():
        assert TEST_ID.search(row), f"item {number} names no test"


def test_every_test_the_checklist_names_exists():
    named = TEST_ID.findall(CHECKLIST.read_text(encoding="utf-8"))
    assert len(named) >= ITEMS
    missing = []
    for file, first, second in named:
        path = ROOT / file
        name = f"{first}::{second}" if second else first
        if not path.is_file() or name not in _defined(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"


def test_the_test_id_check_reads_functions_and_methods(tmp_path):
    module = tmp_path / "test_probe.py"
    module.write_text(
        "def test_a():\n    pass\n\n\nclass TestB:\n    def test_c(self):\n        pass\n"
    )
    assert _defined(module) == {"test_a", "TestB::test_c"}


# --- No default accounts -------------------------------------------------------------------


def test_a_migrated_database_has_no_accounts_until_someone_creates_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    environment = {**os.environ, "FLASK_APP": "wsgi", "TRACKER_ENV": "testing", "DATABASE_URL": url}
    migrated = subprocess.run(  # its own process: Alembic reconfigures logging as it runs
        [sys.executable, "-m", "flask", "db", "upgrade"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        client = app.test_client()
        for email in ("admin@example.com", "ld@example.com", "engineer@example.com", "admin"):
            form = {"email": email, "password": "learn-ml-2026"}
            assert client.post("/auth/login", data=form).status_code == 200  # refused
        assert client.get("/").status_code == 302
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.session.remove()
        db.engine.dispose()


# --- Mass assignment: the caller never sets who, whose or what standing ---------------------

YESTERDAY = (today() - timedelta(days=1)).isoformat()


@pytest.fixture
def people(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    engineer = make_user(email="a@corp.test")
    other = make_user(email="b@corp.test")
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    make_team(name="Payments", managers=[lead], members=[engineer])
    make_team(name="Search", members=[other])
    return {"engineer": engineer, "other": other, "lead": lead}


def _bearer(user):
    _, secret = issue_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "field,value",
    [
        ("status", "verified"),
        ("recorded_by", "lead@corp.test"),
        ("decided_by", "lead@corp.test"),
        ("decided_at", "2026-01-01T00:00:00Z"),
        ("passed", True),
        ("id", 1),
        ("engineer_id", 1),
        ("user_id", 1),
    ],
)
def test_the_api_refuses_fields_the_caller_may_not_set(client, people, field, value):
    body = {"engineer": "a@corp.test", "module": "pipelines-101", "completed_on": YESTERDAY}
    response = client.post(
        "/api/v1/completions", json={**body, field: value}, headers=_bearer(people["engineer"])
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Evidence)) == 0
    enrol = {"engineer": "a@corp.test", "path": "swe-to-mle", field: value}
    response = client.post("/api/v1/enrolments", json=enrol, headers=_bearer(people["engineer"]))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0


def test_the_log_form_records_for_the_caller_whatever_else_it_is_sent(client, people, login_as):
    login_as(people["engineer"])
    other = people["other"]
    response = client.post(
        "/progress/log",
        data={
            "module": "pipelines-101",
            "kind": "completion",
            "on": YESTERDAY,
            "user_id": other.id,
            "engineer_id": other.id,
            "engineer": other.email,
            "recorded_by_id": other.id,
            "status": "verified",
        },
    )
    assert response.status_code in (200, 302)
    evidence = db.session.scalars(db.select(Evidence)).one()
    assert evidence.user_id == people["engineer"].id
    assert evidence.recorded_by_id == people["engineer"].id
    assert evidence.status is EvidenceStatus.PENDING  # the module needs a manager's check


def test_account_forms_never_change_roles_team_or_owner(client, people, login_as, make_team):
    engineer, other = people["engineer"], people["other"]
    home, elsewhere = engineer.team_id, make_team(name="Elsewhere")
    login_as(engineer)
    extra = {"roles": "admin", "role": "admin", "team_id": elsewhere.id, "user_id": other.id}
    change = {"current": PASSWORD, "password": "a new passphrase here"}
    changed = client.post(
        "/auth/account/password", data={**change, "confirm": change["password"], **extra}
    )
    assert changed.status_code == 302  # the form was accepted; only its own fields applied
    assert client.post("/account/tokens", data={"label": "mine", **extra}).status_code in (200, 303)
    db.session.refresh(engineer)
    assert engineer.roles == {Role.ENGINEER}
    assert engineer.team_id == home
    owners = set(db.session.scalars(db.select(ApiToken.user_id)))
    assert owners == {engineer.id}


# --- Output: no text marked safe, no SQL built from strings, downloads named safely ----------


def test_templates_and_code_never_mark_text_as_safe(app):
    assert app.jinja_env.autoescape("page.html") is True
    for template in (ROOT / "templates").rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        for marker in ("|safe", "| safe", "autoescape false", "autoescape False"):
            assert marker not in source, f"{template.relative_to(ROOT)} uses {marker}"
    for module in (ROOT / "tracker").rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in {"Markup", "autoescape"}:
                raise AssertionError(f"{module.relative_to(ROOT)}:{node.lineno} marks text safe")


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _sqlalchemy_text_names(tree: ast.Module) -> set[str]:
    """Local names bound to sqlalchemy's text() in a module."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
        for alias in node.names
        if alias.name == "text"
    }


# Raw SQL the app sends on purpose: statements SQLAlchemy compiled, with bound parameters, and
# a table lock naming the schema's own tables, quoted by the dialect.
COMPILED_SQL = {
    ("tracker/bulk.py", "exec_driver_sql"),
    ("tracker/transfer/database.py", "exec_driver_sql"),
}


def test_sql_is_never_built_from_strings():
    """text(), exec_driver_sql(), literal_column() and execute() take only literal SQL."""
    built = []
    for module in sorted((ROOT / "tracker").rglob("*.py")):
        name = str(module.relative_to(ROOT))
        tree = ast.parse(module.read_text(encoding="utf-8"))
        raw = _sqlalchemy_text_names(tree) | {"exec_driver_sql", "literal_column"}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            called, first = _called(node), node.args[0]
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if called in raw and not literal and (name, called) not in COMPILED_SQL:
                built.append(f"{name}:{node.lineno} {called}()")
            stringy = isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Call) and _called(first) == "format"
            )
            if called == "execute" and stringy:
                built.append(f"{name}:{node.lineno} execute() of a built string")
    assert not built, f"SQL built from strings: {built}"


def test_a_csv_download_has_its_type_charset_and_an_encoded_filename(client, login_as, scored_team):
    team = scored_team["team"]
    team.name = 'Zürich "R&D"; x'
    db.session.commit()
    response = login_as(scored_team["lead"]).get(
        f"/team/{team.id}/charts/bands.csv?role=ml-engineer"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Z?rich R&D; x-bands-')
    assert "filename*=UTF-8''Z%C3%BCrich%20%22R%26D%22%3B%20x-bands-" in disposition
    assert disposition.count('"') == 2  # the quotes in the name cannot end the plain filename


# --- Redirects: a target the caller names stays on this site ------------------------------

OFF_SITE = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_marking_notices_read_never_redirects_off_the_site(client, make_user, login_as, target):
    login_as(make_user())
    response = client.post("/notifications/read", data={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    local = client.post("/notifications/read", data={"next": "/progress/evidence"})
    assert local.headers["Location"] == "/progress/evidence"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_second_factor_step_never_redirects_off_the_site(database_url, make_user, target):
    user = make_user(email="boss@corp.test", roles=[Role.MANAGER])
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, REQUIRE_MFA=True)
    client = app.test_client()
    form = {"email": "boss@corp.test", "password": PASSWORD, "next": target}
    assert client.post("/auth/login", data=form).headers["Location"] == "/auth/mfa"
    code = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/auth/mfa", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.app_context():
        db.engine.dispose()


# --- Ids beyond the database's integer range ------------------------------------------------


def test_every_route_answers_404_for_an_id_beyond_the_integer_range(app, client, make_user):
    """Sweeps app.url_map: each integer in a path, pages and API alike, never reaches a query."""
    login_as_admin = make_user(roles=[Role.ADMIN, Role.MANAGER, Role.LD, Role.ENGINEER])
    _, secret = issue_token(login_as_admin, "ids")
    db.session.commit()
    checked = []
    for rule in app.url_map.iter_rules():
        numbers = [name for name, conv in rule._converters.items() if conv.regex == r"\d+"]
        if not numbers:
            continue
        for huge in (2**31, 10**30):
            url = rule.rule
            for name in rule.arguments:
                value = str(huge) if name in numbers else "1"
                url = re.sub(rf"<(?:[^:>]+:)?{name}>", value, url)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                with client.session_transaction() as sess:
                    sess["_user_id"] = login_as_admin.get_id()
                    sess["login_at"] = sess["seen_at"] = int(time.time())
                headers = {"Authorization": f"Bearer {secret}"}
                response = client.open(url, method=method, headers=headers, data={})
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
                checked.append(rule.endpoint)
    assert {"admin.person_edit", "team.dashboard", "api_evidence.post_verification"} <= set(checked)


@pytest.mark.parametrize("value", [str(2**31), str(10**30), "²", "-1", "1e3", ""])
def test_list_filters_and_pages_take_any_number_without_a_server_error(
    client, make_user, login_as, value
):
    make_user(name="Grace Hopper")
    login_as(make_user(roles=[Role.ADMIN]))
    for url in ("/admin/people", "/admin/audit"):
        for name in ("team", "page"):
            response = client.get(url, query_string={name: value})
            assert response.status_code == 200, f"{url}?{name}={value}"
    if not (value.isascii() and value.isdigit()):
        people = client.get("/admin/people", query_string={"page": value})
        assert "Grace Hopper" in people.get_data(as_text=True)  # not a number: the first page


# --- Numbers typed into forms: any text is refused by name, never a server error ------------

NOT_PLAIN_NUMBERS = ["²", "¹²", str(10**30), "-1", "1.5", "3e2"]


@pytest.mark.parametrize("value", NOT_PLAIN_NUMBERS)
def test_number_fields_of_the_team_forms_take_any_text_without_a_server_error(
    client, login_as, scored_team, value
):
    team = scored_team["team"]
    login_as(scored_team["lead"])
    before = db.session.scalar(db.select(db.func.count()).select_from(StaffingTarget))
    target = {"role": "ml-engineer", "count": value, "by": "2099-01-01"}
    assert client.post(f"/team/{team.id}/targets", data=target).status_code == 302
    after = db.session.scalar(db.select(db.func.count()).select_from(StaffingTarget))
    assert after == before
    verify = {"evidence": value, "decision": "verified"}
    assert client.post("/team/verify", data=verify).status_code in (302, 404)
    assign = {"path": "swe-to-mle", "engineers": value, "team": value}
    assert client.post("/team/assign", data=assign).status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-Infinity", "1e400"])
def test_hours_that_are_not_a_finite_number_are_refused_by_name(
    client, people, login_as, make_user, value
):
    refusals = ("Not a valid decimal value", "Number must be between")
    login_as(people["engineer"])
    entry = {"module": "mlcc-classification", "kind": "attempt", "on": YESTERDAY, "score": "80"}
    logged = client.post("/progress/log", data={**entry, "hours": value})
    assert logged.status_code == 422
    assert any(refusal in logged.get_data(as_text=True) for refusal in refusals)
    assert db.session.scalar(db.select(db.func.count()).select_from(Evidence)) == 0
    login_as(make_user(roles=[Role.LD]))
    module = {"key": "new-module", "title": "New", "hours": value, "assessment_kind": ""}
    authored = client.post("/catalogue/modules/new", data=module)
    assert authored.status_code == 422
    assert any(refusal in authored.get_data(as_text=True) for refusal in refusals)
    assert db.session.scalar(db.select(Module.id).where(Module.key == "new-module")) is None


# --- Text no database can hold --------------------------------------------------------------


def test_every_page_refuses_a_nul_character_by_name(app, client, make_user):
    """Sweeps app.url_map: a NUL in the query or a form field answers 400 before any view."""
    admin = make_user(roles=[Role.ADMIN, Role.MANAGER, Role.LD, Role.ENGINEER])
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/xapi/", "/scim/", "/static/")):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{name}>", "1", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for query, form in (({"q": "a\x00b"}, {}), ({}, {"name\x00": "x"})):
                with client.session_transaction() as sess:
                    sess["_user_id"] = admin.get_id()
                    sess["login_at"] = sess["seen_at"] = int(time.time())
                response = client.open(url, method=method, query_string=query, data=form)
                where = f"{method} {url} {query or form}"
                assert response.status_code == 400, f"{where}: {response.status_code}"
                page = (
                    response.get_json()["error"]["message"]
                    if response.is_json
                    else html.unescape(response.get_data(as_text=True))
                )
                named = "“q”" if query else "“name\\0”"
                assert "NUL character" in page and named in page, where
                checked += 1
    assert checked > 100
    anonymous = app.test_client()
    login = anonymous.post("/auth/login", data={"email": "a\x00@corp.test", "password": "x"})
    assert login.status_code == 400 and "“email”" in login.get_data(as_text=True)
