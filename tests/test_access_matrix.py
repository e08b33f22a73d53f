"""The access matrix: every route × every kind of person → the expected answer.

The first test walks `app.url_map`, so a route added without an entry here fails the suite.
Site routes are requested with a logged-in session; API routes with the person's bearer token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.headers import SECURITY_HEADERS
from tracker.models import (
    ApiToken,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    TargetRole,
)
from tracker.operations.tokens import create_integration

PERSONAS = ("anonymous", "engineer", "other_manager", "manager", "ld", "admin")
LOGIN = "login"  # a redirect to the login page


@dataclass(frozen=True)
class Route:
    """How to call one endpoint, and what each persona gets back."""

    method: str
    path: str
    expect: dict[str, int | str]
    data: dict[str, str] = field(default_factory=dict)  # a form; {placeholders} filled
    json: dict[str, object] | None = None  # a JSON body; string {placeholders} filled


def everyone(status: int | str, anonymous: int | str = LOGIN) -> dict[str, int | str]:
    """Every logged-in persona gets `status`; anonymous gets `anonymous`."""
    return {p: (anonymous if p == "anonymous" else status) for p in PERSONAS}


def only(allowed: dict[str, int | str], others: int = 403, anonymous: int | str = LOGIN):
    """The personas in `allowed` get their status; other logged-in people get `others`."""
    return {p: allowed.get(p, anonymous if p == "anonymous" else others) for p in PERSONAS}


ADMIN_ONLY_PAGE = only({"admin": 200})
ENGINEER_PAGE = only({"engineer": 200, "manager": 200, "other_manager": 200, "admin": 200})
ENGINEER_PAGE_REDIRECT = only({"engineer": 302, "manager": 302, "other_manager": 302, "admin": 302})
ENGINEER_PAGE_NOT_FOUND = only(
    {"engineer": 404, "manager": 404, "other_manager": 404, "admin": 404}
)
LD_PAGE = only({"ld": 200, "admin": 200})
LD_REDIRECT = only({"ld": 302, "admin": 302})

# Paths use {placeholders} filled from the world built by the `world` fixture.
MATRIX: dict[str, Route] = {
    "static": Route("GET", "/static/tracker.css", everyone(200, anonymous=200)),
    "health.healthz": Route("GET", "/healthz", everyone(200, anonymous=200)),
    "main.home": Route("GET", "/", everyone(200)),
    "notify.mark_read": Route("POST", "/notifications/read", everyone(302)),
    "main.how_readiness_works": Route("GET", "/how-readiness-works", everyone(200)),
    "auth.login": Route("GET", "/auth/login", everyone(302, anonymous=200)),  # in: go home
    "auth.logout": Route("POST", "/auth/logout", everyone(302, anonymous=302)),
    "auth.account": Route("GET", "/auth/account", everyone(200)),
    "auth.change_password": Route("POST", "/auth/account/password", everyone(400)),
    "auth.sign_out_everywhere": Route("POST", "/auth/account/sign-out-everywhere", everyone(LOGIN)),
    "auth.mfa": Route("GET", "/auth/mfa", everyone(LOGIN)),  # only between password and code
    "auth.mfa_setup": Route("GET", "/auth/mfa/setup", everyone(200)),
    "auth.reset_request": Route("GET", "/auth/reset", everyone(200, anonymous=200)),
    "auth.set_password": Route("GET", "/auth/set-password/not-a-token", everyone(410, 410)),
    # Single sign-on answers 404 while OIDC_ISSUER is unset, as here (set: tests/test_sso_*.py).
    "auth.oidc_login": Route("GET", "/auth/oidc/login", everyone(404, anonymous=404)),
    "auth.oidc_callback": Route("GET", "/auth/oidc/callback", everyone(404, anonymous=404)),
    # Administration: admins only.
    "admin.people": Route("GET", "/admin/people", ADMIN_ONLY_PAGE),
    "admin.person_new": Route("GET", "/admin/people/new", ADMIN_ONLY_PAGE),
    "admin.person_edit": Route("GET", "/admin/people/{engineer_id}", ADMIN_ONLY_PAGE),
    "admin.person_deactivate": Route(
        "POST", "/admin/people/{engineer_id}/deactivate", only({"admin": 302})
    ),
    "admin.person_reactivate": Route(
        "POST", "/admin/people/{engineer_id}/reactivate", only({"admin": 302})
    ),
    "admin.person_invite": Route(
        "POST", "/admin/people/{engineer_id}/invite", only({"admin": 303})
    ),
    "admin.person_link": Route("GET", "/admin/people/{engineer_id}/link", ADMIN_ONLY_PAGE),
    "admin.teams": Route("GET", "/admin/teams", ADMIN_ONLY_PAGE),
    "admin.team_new": Route("GET", "/admin/teams/new", ADMIN_ONLY_PAGE),
    "admin.team_edit": Route("GET", "/admin/teams/{team_id}", ADMIN_ONLY_PAGE),
    "admin.audit": Route("GET", "/admin/audit", ADMIN_ONLY_PAGE),
    "admin.roster": Route("GET", "/admin/roster", ADMIN_ONLY_PAGE),
    "admin.roster_apply": Route(
        "POST",
        "/admin/roster/apply",
        only({"admin": 303}),
        {"content": "email,name,team,manager_email,roles\n"},
    ),
    "admin.integrations": Route("GET", "/admin/integrations", ADMIN_ONLY_PAGE),
    "admin.integration_create": Route(
        "POST", "/admin/integrations", only({"admin": 303}), {"name": "Matrix", "scope": "xapi"}
    ),
    "admin.integration_token": Route(
        "GET", "/admin/integrations/{integration_id}/token", ADMIN_ONLY_PAGE
    ),
    "admin.integration_revoke": Route(
        "POST", "/admin/integrations/{integration_id}/revoke", only({"admin": 302})
    ),
    # The engineer's own pages (anyone holding the engineer role; admins pass every check).
    "engineer.log": Route("GET", "/progress/log", ENGINEER_PAGE),
    "engineer.evidence": Route("GET", "/progress/evidence", ENGINEER_PAGE),
    # Only its engineer withdraws evidence; who may see it but not withdraw it is refused.
    "engineer.withdraw": Route(
        "POST",
        "/progress/evidence/{engineer_evidence_id}/withdraw",
        only({"engineer": 302, "other_manager": 404}),
    ),
    "engineer.levels_chart": Route(
        "GET",
        "/progress/{engineer_id}/levels.csv?role=ml-engineer",
        only({"engineer": 200, "manager": 200, "ld": 200, "admin": 200}, others=404),
    ),
    "engineer.paths": Route("GET", "/progress/paths", ENGINEER_PAGE),
    "engineer.enrol_path": Route(
        "POST", "/progress/paths/swe-to-mle/enrol", ENGINEER_PAGE_REDIRECT
    ),
    "engineer.leave_path": Route(
        "POST", "/progress/paths/swe-to-mle/leave", ENGINEER_PAGE_NOT_FOUND
    ),
    "engineer.self_assessment": Route("GET", "/progress/self-assessment", ENGINEER_PAGE),
    "engineer.role": Route("GET", "/progress/roles/ml-engineer", ENGINEER_PAGE),
    # Team dashboards: the team's managers, L&D and admins.
    "team.dashboard_home": Route(
        "GET", "/team/", only({"manager": 302, "other_manager": 302, "ld": 302, "admin": 302})
    ),
    "team.dashboard": Route(
        "GET",
        "/team/{team_id}/",
        only({"manager": 200, "other_manager": 404, "ld": 200, "admin": 200}),
    ),
    "team.company": Route("GET", "/team/company", LD_PAGE),
    "team.company_targets": Route("GET", "/team/company/targets.csv", LD_PAGE),
    "team.chart": Route(
        "GET",
        "/team/{team_id}/charts/bands.csv?role=ml-engineer",
        only({"manager": 200, "other_manager": 404, "ld": 200, "admin": 200}),
    ),
    "team.engineer_progress": Route(
        "GET",
        "/team/engineers/{engineer_id}",
        only({"manager": 200, "other_manager": 404, "ld": 200, "admin": 200}),
    ),
    # Staffing targets: the team's managers and admins; L&D see the dashboard but may not.
    "team.add_target": Route(
        "POST",
        "/team/{team_id}/targets",
        only({"manager": 302, "other_manager": 404, "admin": 302}),
        {"role": "ml-engineer", "count": "2", "by": "2027-06-30"},
    ),
    "team.archive_target": Route(
        "POST",
        "/team/{team_id}/targets/{target_id}/archive",
        only({"manager": 302, "other_manager": 404, "admin": 302}),
    ),
    # The verification queue: the engineer's manager decides; L&D and admins see it, and
    # decide only where the team has no manager who may (four eyes).
    "team.verify": Route(
        "GET", "/team/verify", only({"manager": 200, "other_manager": 200, "ld": 200, "admin": 200})
    ),
    "team.decide_evidence": Route(
        "POST",
        "/team/verify",
        only({"manager": 302, "other_manager": 404}),
        {"evidence": "{engineer_evidence_id}", "decision": "verified"},
    ),
    "team.assign": Route(
        "GET", "/team/assign", only({"manager": 200, "other_manager": 200, "ld": 200, "admin": 200})
    ),
    # Catalogue authoring: L&D (and admins).
    "authoring.index": Route("GET", "/catalogue/", LD_PAGE),
    "authoring.items": Route("GET", "/catalogue/modules/", LD_PAGE),
    "authoring.new": Route("GET", "/catalogue/paths/new", LD_PAGE),
    "authoring.edit": Route("GET", "/catalogue/roles/ml-engineer", LD_PAGE),
    "authoring.archive": Route("POST", "/catalogue/modules/capstone/archive", LD_REDIRECT),
    "authoring.restore": Route("POST", "/catalogue/modules/capstone/restore", LD_REDIRECT),
    "authoring.coverage": Route("GET", "/catalogue/roles/ml-engineer/coverage", LD_PAGE),
    "authoring.download": Route("GET", "/catalogue/export", LD_PAGE),
    "authoring.apply": Route(  # a checked file sent back: here one that changes nothing
        "POST", "/catalogue/apply", only({"ld": 303, "admin": 303}), {"content": "version: 1\n"}
    ),
    "authoring.statements": Route("GET", "/catalogue/statements", LD_PAGE),
    "authoring.map_statement_activity": Route(
        "POST", "/catalogue/statements/activities", only({"ld": 422, "admin": 422})
    ),
    "authoring.map_statement_person": Route(
        "POST", "/catalogue/statements/people", only({"ld": 422, "admin": 422})
    ),
    # API tokens: the page is for everyone's own tokens; admins manage anyone's; a token id
    # neither yours nor (for admins) anyone's is 404.
    "tokens.index": Route("GET", "/account/tokens", everyone(200)),
    "tokens.create": Route("POST", "/account/tokens", everyone(303), {"label": "matrix"}),
    "tokens.created": Route("GET", "/account/tokens/created", everyone(200)),
    "tokens.revoke": Route(
        "POST",
        "/account/tokens/{engineer_token_id}/revoke",
        only({"engineer": 302, "admin": 302}, others=404),
    ),
    # The JSON API (bearer tokens; no token is 401).
    "api_docs.openapi_json": Route("GET", "/api/v1/openapi.json", everyone(200, anonymous=200)),
    "api_me.me": Route("GET", "/api/v1/me", everyone(200, anonymous=401)),
    "api_me.list_tokens": Route("GET", "/api/v1/tokens", everyone(200, anonymous=401)),
    "api_catalogue.list_competencies": Route(
        "GET", "/api/v1/competencies", everyone(200, anonymous=401)
    ),
    "api_catalogue.list_roles": Route("GET", "/api/v1/roles", everyone(200, anonymous=401)),
    "api_catalogue.list_modules": Route("GET", "/api/v1/modules", everyone(200, anonymous=401)),
    "api_catalogue.list_paths": Route("GET", "/api/v1/paths", everyone(200, anonymous=401)),
    "api_catalogue.get_path": Route("GET", "/api/v1/paths/no-such-path", everyone(404, 401)),
    "api_progress.engineer_progress": Route(
        "GET",
        "/api/v1/engineers/{engineer_email}/progress",
        only({"engineer": 200, "manager": 200, "ld": 200, "admin": 200}, others=404, anonymous=401),
    ),
    # Writes with valid bodies: the engineer and their manager record; the manager decides
    # (four eyes: never the subject); the engineer, their manager, L&D and admins enrol.
    "api_evidence.post_completion": Route(
        "POST",
        "/api/v1/completions",
        only({"engineer": 201, "manager": 201, "other_manager": 404}, anonymous=401),
        json={
            "engineer": "{engineer_email}",
            "module": "pipelines-101",
            "completed_on": "2026-01-12",
        },
    ),
    "api_evidence.post_attempt": Route(
        "POST",
        "/api/v1/assessment-attempts",
        only({"engineer": 201, "manager": 201, "other_manager": 404}, anonymous=401),
        json={
            "engineer": "{engineer_email}",
            "module": "mlcc-classification",
            "taken_on": "2026-01-12",
            "score": 80,
        },
    ),
    "api_evidence.post_verification": Route(
        "POST",
        "/api/v1/evidence/{engineer_evidence_id}/verification",
        only({"manager": 200, "other_manager": 404}, anonymous=401),
        json={"decision": "verified"},
    ),
    "api_enrolments.post_enrolment": Route(
        "POST",
        "/api/v1/enrolments",
        only({"other_manager": 404}, others=201, anonymous=401),
        json={"engineer": "{engineer_email}", "path": "swe-to-mle"},
    ),
    "api_teams.readiness_of_team": Route(
        "GET",
        "/api/v1/teams/{team_id}/readiness?role=ml-engineer",
        only({"manager": 200, "ld": 200, "admin": 200}, others=404, anonymous=401),
    ),
    # xAPI intake (HTTP Basic, a token as the password; tests/test_xapi.py has the edges):
    # everyone here may send (engineers about themselves), so a bad request is a 400.
    "xapi.about": Route("GET", "/xapi/about", everyone(200, anonymous=200)),
    "xapi.post_statements": Route("POST", "/xapi/statements", everyone(400, 401)),
    "xapi.put_statement": Route("PUT", "/xapi/statements?statementId=x", everyone(400, 401)),
    "xapi.get_statement": Route(
        "GET",
        "/xapi/statements?statementId=4ad3b2c9-0f3e-4c2a-9d7b-1e2f3a4b5c6d",
        everyone(404, 401),
    ),
    # SCIM provisioning: only an integration's token with the scim scope (tests/test_scim_*.py);
    # every person's token is refused, an admin's too, and a session cookie is no token.
    **{
        f"scim.{endpoint}": Route(method, f"/scim/v2{path}", everyone(403, 401))
        for endpoint, method, path in [
            ("service_provider_config", "GET", "/ServiceProviderConfig"),
            ("list_resource_types", "GET", "/ResourceTypes"),
            ("get_resource_type", "GET", "/ResourceTypes/User"),
            ("list_schemas", "GET", "/Schemas"),
            ("get_schema", "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
            ("search_everything", "POST", "/.search"),
            ("list_users", "GET", "/Users"),
            ("create_user", "POST", "/Users"),
            ("get_user", "GET", "/Users/{engineer_id}"),
            ("replace_user", "PUT", "/Users/{engineer_id}"),
            ("patch_user", "PATCH", "/Users/{engineer_id}"),
            ("delete_user", "DELETE", "/Users/{engineer_id}"),
            ("list_groups", "GET", "/Groups"),
            ("create_group", "POST", "/Groups"),
            ("get_group", "GET", "/Groups/{team_id}"),
            ("replace_group", "PUT", "/Groups/{team_id}"),
            ("patch_group", "PATCH", "/Groups/{team_id}"),
            ("delete_group", "DELETE", "/Groups/{team_id}"),
        ]
    },
    # L&D may import the catalogue; an empty body is a 400 for them, 403 for others.
    "api_catalogue.put_catalog": Route(
        "PUT", "/api/v1/catalog", only({"ld": 400, "admin": 400}, anonymous=401)
    ),
}


@pytest.fixture
def world(make_user, make_team):
    """One person per persona: an engineer, their manager, another team's manager, L&D, admin."""
    engineer = make_user(email="eng@corp.test", roles=[Role.ENGINEER])
    manager = make_user(email="mgr@corp.test", roles=[Role.MANAGER, Role.ENGINEER])
    other = make_user(email="other@corp.test", roles=[Role.MANAGER, Role.ENGINEER])
    ld = make_user(email="ld@corp.test", roles=[Role.LD])
    admin = make_user(email="admin@corp.test", roles=[Role.ADMIN])
    team = make_team(name="Payments", managers=[manager], members=[engineer, manager])
    other_team = make_team(name="Search", managers=[other], members=[other])
    people = {
        "engineer": engineer,
        "manager": manager,
        "other_manager": other,
        "ld": ld,
        "admin": admin,
    }
    import_text(SMALL, "small.yaml")  # a catalogue to author and read
    pending = Evidence(
        user_id=engineer.id,
        kind=EvidenceKind.COMPLETION,
        date=date(2026, 1, 5),
        status=EvidenceStatus.PENDING,
        module_id=db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101")),
    )
    db.session.add(pending)
    target = StaffingTarget(
        team_id=team.id,
        role_id=db.session.scalar(db.select(TargetRole.id).where(TargetRole.key == "ml-engineer")),
        count=1,
        by=date(2027, 3, 31),
    )
    db.session.add(target)
    tokens, token_rows = {}, {}
    for persona, person in people.items():
        secret = secrets.token_urlsafe(32)
        token_rows[persona] = ApiToken(
            user_id=person.id,
            label="matrix",
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            prefix=secret[:8],
        )
        db.session.add(token_rows[persona])
        tokens[persona] = secret
    integration, _ = create_integration("Matrix platform", ["xapi"], None)
    db.session.commit()
    ids = {
        "engineer_id": engineer.id,
        "engineer_email": engineer.email,
        "team_id": team.id,
        "other_team_id": other_team.id,
        "admin_id": admin.id,
        "engineer_token_id": token_rows["engineer"].id,
        "engineer_evidence_id": pending.id,
        "target_id": target.id,
        "integration_id": integration.id,
    }
    return {"people": people, "tokens": tokens, "ids": ids}


def test_every_route_has_an_entry_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - MATRIX.keys())
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(MATRIX.keys() - endpoints)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def _request(client, login_as, world, persona: str, route: Route):
    path = route.path.format(**world["ids"])
    headers = {}
    if path.startswith("/xapi/"):
        headers["X-Experience-API-Version"] = "1.0.3"
    if persona != "anonymous":
        if path.startswith(("/api/", "/scim/")):
            headers["Authorization"] = f"Bearer {world['tokens'][persona]}"
        elif path.startswith("/xapi/"):
            basic = base64.b64encode(f"{persona}:{world['tokens'][persona]}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        else:
            login_as(world["people"][persona])
    data = {key: value.format(**world["ids"]) for key, value in route.data.items()}
    if route.json is not None:
        body = {
            key: value.format(**world["ids"]) if isinstance(value, str) else value
            for key, value in route.json.items()
        }
        return client.open(path, method=route.method, json=body, headers=headers)
    return client.open(path, method=route.method, data=data, headers=headers)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_persona_as_the_matrix_says(client, login_as, world, endpoint, persona):
    route = MATRIX[endpoint]
    response = _request(client, login_as, world, persona, route)
    expected = route.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == expected, (
            f"{route.method} {route.path} as {persona}: {response.status_code}"
        )


def _status(expected: int | str) -> int:
    return 302 if expected == LOGIN else int(expected)


# What a GET may write: the audit trail (a refused request is recorded) and a token's last use.
RECORDS_OF_USE = {"audit_events": None, "api_tokens": {"last_used_at"}}


def _stored() -> dict[str, list[tuple]]:
    """Every row of every table, less the records a GET may keep of its own use."""
    db.session.expire_all()
    stored = {}
    for table in db.metadata.sorted_tables:
        skipped = RECORDS_OF_USE.get(table.name, set())
        if skipped is None:
            continue
        columns = [column for column in table.columns if column.name not in skipped]
        rows = db.session.execute(db.select(*columns).order_by(*table.primary_key.columns))
        stored[table.name] = [tuple(row) for row in rows]
    return stored


def _fresh_request(client, login_as, world, persona: str, route: Route):
    """`_request` on a client that may hold the previous persona's session: drop it first."""
    with client.session_transaction() as sess:
        sess.clear()
    return _request(client, login_as, world, persona, route)


def test_no_get_changes_what_is_stored(client, login_as, world):
    """Every GET route in the matrix, as every persona, leaves every table as it was."""
    gets = [route for route in MATRIX.values() if route.method == "GET"]
    assert len(gets) > 40
    before = _stored()
    for route in gets:
        for persona in PERSONAS:
            response = _fresh_request(client, login_as, world, persona, route)
            assert response.status_code == _status(route.expect[persona]), (
                f"GET {route.path} as {persona}: {response.status_code}"
            )
            after = _stored()
            changed = [name for name in before if before[name] != after[name]]
            assert not changed, f"GET {route.path} as {persona} changed {changed}"


def test_every_route_sends_the_security_headers_and_private_answers_are_not_stored(
    client, login_as, world
):
    """Every route in the matrix, as every persona, whatever it answers (errors included)."""
    for endpoint, route in sorted(MATRIX.items()):
        for persona in PERSONAS:
            response = _fresh_request(client, login_as, world, persona, route)
            where = f"{route.method} {route.path} as {persona} ({response.status_code})"
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get(name) == value, f"{where}: {name}"
            assert "Strict-Transport-Security" not in response.headers  # off outside production
            if endpoint != "static":
                assert response.headers.get("Cache-Control") == "no-store", where
