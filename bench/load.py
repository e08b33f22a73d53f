"""`make bench`, mixed load: managers, engineers and an L&D import at once, under gunicorn.

A migrated database (SQLite; also a throwaway PostgreSQL database when TEST_DATABASE_URL is
set) holds the demo organisation (40 engineers) with its history and the shipped catalogue.
gunicorn serves it with four sync workers in production mode on loopback (`REQUIRE_MFA` off:
the demo managers have no authenticator enrolled). For `BENCH_LOAD_SECONDS` (default 20):

- four managers, logged in through the login form, alternate their team's dashboard and one
  of its charts (PNG; each role and chart in turn, so new evidence makes some renders uncached);
- eight engineers post completions and assessment attempts through the API with their tokens;
- halfway through, L&D imports the catalogue through `PUT /api/v1/catalog` (every description
  revised and one module added, so the import rewrites rows while the others read and write).

Each kind of request is reported with its count, errors (any other status than expected),
5xx answers (never allowed: reported loudly), p50 and p95 latency. Afterwards the evidence
rows are counted against the 201 answers, and the server's output is searched for
"database is locked" and for failed requests.

`python -m bench.load` runs this part alone and exits 1 when anything above went wrong.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select

from config import TestingConfig
from tests.postgres import throwaway_database
from tests.servers import gunicorn_server
from tracker import create_app
from tracker.catalogue.exporter import export_data
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import DEMO_PASSWORD, TEAM_MANAGERS, seed_people
from tracker.demo_history import generate_history
from tracker.extensions import db
from tracker.models import Evidence, Role, TeamManager, User, UserRole
from tracker.operations.tokens import issue_token
from tracker.reads.charts import TEAM_CHARTS

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
WORKERS = 4
ENGINEERS = 8
MANAGERS = ("manager@example.com", *(email for email, _ in TEAM_MANAGERS.values()))
PROBLEMS = ("database is locked", "database unavailable", "Exception on", "[ERROR]")
DASHBOARD, CHART = "manager: team dashboard", "manager: team chart (PNG)"
EVIDENCE, IMPORT = "engineer: POST evidence (API)", "L&D: catalogue import (API)"
EXPECTED = {DASHBOARD: 200, CHART: 200, EVIDENCE: 201, IMPORT: 200}


@dataclass
class Setup:
    """What the load needs from the seeded database."""

    teams: dict[str, int]  # manager email -> team id
    tokens: dict[str, str]  # engineer email -> API token
    ld_token: str
    roles: list[str]
    modules: list[tuple[str, bool]]  # key, has an assessment
    catalogue: dict[str, Any]  # the revised catalogue L&D imports
    evidence_before: int


@dataclass
class Result:
    """One backend's run: samples and statuses per kind, evidence counts, server problems."""

    backend: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    stored: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, ms: float, status: int) -> None:
        """Note one answer of `kind`."""
        with self.lock:
            self.samples.setdefault(kind, []).append(ms)
            self.statuses.setdefault(kind, Counter())[status] += 1

    def errors(self, kind: str) -> int:
        """Answers of `kind` with another status than expected."""
        return sum(n for s, n in self.statuses[kind].items() if s != EXPECTED[kind])

    def server_errors(self) -> int:
        """5xx answers of every kind."""
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    def accepted(self) -> int:
        """Evidence posts answered 201."""
        return self.statuses.get(EVIDENCE, Counter())[201]

    def failed(self) -> bool:
        """Whether anything went wrong: 5xx, lost evidence, or problems in the server output."""
        return bool(self.server_errors() or self.stored != self.accepted() or self.problems)


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """Send one request on a new connection (sync workers close each); return status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value
    return jar


def log_in(port: int, email: str) -> str:
    """Log in through the form (CSRF token and all); return the Cookie header of the session."""
    status, response, page = call(port, "GET", "/auth/login")
    jar = _cookies(response, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert status == 200 and token, f"the login form answered {status}"
    form = urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": token[1].decode()})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, response, _ = call(port, "POST", "/auth/login", form.encode(), headers)
    assert status == 302, f"logging in {email} answered {status}"
    return "; ".join(f"{k}={v}" for k, v in _cookies(response, jar).items())


def prepare(url: str) -> Setup:
    """Migrate `url`, seed the demo organisation and its history; issue the tokens."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        seed_people(40, seed=1)
        load_default_catalogue()
        generate_history(1, date.today())
        teams = dict(
            db.session.execute(
                db.select(User.email, TeamManager.team_id)
                .join(TeamManager, TeamManager.user_id == User.id)
                .where(User.email.in_(MANAGERS))
            ).all()
        )
        engineers = db.session.scalars(
            db.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ENGINEER, User.team_id.in_(teams.values()))
            .where(User.email.not_in(MANAGERS))
            .order_by(User.id)
            .limit(ENGINEERS)
        ).all()
        tokens = {e.email: issue_token(e, "bench")[1] for e in engineers}
        ld = db.session.scalar(db.select(User).where(User.email == "ld@example.com"))
        ld_token = issue_token(ld, "bench")[1]
        document = export_data()
        db.session.commit()
        setup = Setup(
            teams,
            tokens,
            ld_token,
            [r["key"] for r in document["roles"]],
            [(m["key"], bool(m.get("assessment"))) for m in document["modules"]],
            revised(document),
            db.session.scalar(db.select(func.count(Evidence.id))) or 0,
        )
        db.engine.dispose()
    return setup


def revised(document: dict[str, Any]) -> dict[str, Any]:
    """The catalogue with every description revised and one module added."""
    for section in ("competencies", "roles", "modules", "paths"):
        for item in document.get(section, []):
            if "description" in item:
                item["description"] = (item["description"] or "") + " (revised)"
    module = dict(document["modules"][0], key="bench-added-module", title="Added by the import")
    module.pop("xapi_activity", None)  # activity ids are unique to one module
    document["modules"].append(module)
    return document


def timed(out: Result, kind: str, port: int, method: str, path: str, **kwargs: Any) -> None:
    """Send one request of `kind` and record its latency and status."""
    start = time.perf_counter()
    try:
        status = call(port, method, path, **kwargs)[0]
    except OSError:
        status = 599  # no answer at all counts as a server error
    out.record(kind, (time.perf_counter() - start) * 1000, status)


def manager(port: int, cookie: str, team: int, roles: list[str], stop: float, out: Result) -> None:
    """Alternate the team's dashboard and one of its charts until `stop`."""
    headers = {"Cookie": cookie}
    n = 0
    while time.monotonic() < stop:
        chart = TEAM_CHARTS[n // 2 % len(TEAM_CHARTS)]
        role = roles[n // 2 // len(TEAM_CHARTS) % len(roles)]
        path = f"/team/{team}/" if n % 2 == 0 else f"/team/{team}/charts/{chart}.png?role={role}"
        timed(out, CHART if n % 2 else DASHBOARD, port, "GET", path, headers=headers)
        n += 1


def engineer(port: int, email: str, setup: Setup, stop: float, out: Result) -> None:
    """Post completions and assessment attempts for `email` until `stop`."""
    headers = {"Authorization": f"Bearer {setup.tokens[email]}"}
    headers["Content-Type"] = "application/json"
    n = 0
    while time.monotonic() < stop:
        key, assessed = setup.modules[n % len(setup.modules)]
        # a day per round of the modules, before the demo history begins: the same
        # completion twice (module and day) would be refused
        day = (date.today() - timedelta(days=320 + n // len(setup.modules))).isoformat()
        body: dict[str, Any] = {"engineer": email, "module": key, "notes": f"bench {n}"}
        body["evidence_url"] = f"https://git.example.com/bench/{n}"  # projects need one
        if assessed and n % 2:
            path, body = "/api/v1/assessment-attempts", body | {"taken_on": day, "score": n % 101}
        else:
            path, body = "/api/v1/completions", body | {"completed_on": day}
        timed(out, EVIDENCE, port, "POST", path, body=json.dumps(body).encode(), headers=headers)
        n += 1


def importer(port: int, setup: Setup, at: float, out: Result) -> None:
    """At `at`, import the revised catalogue as L&D."""
    time.sleep(max(0.0, at - time.monotonic()))
    headers = {"Authorization": f"Bearer {setup.ld_token}", "Content-Type": "application/json"}
    data = json.dumps(setup.catalogue).encode()
    timed(out, IMPORT, port, "PUT", "/api/v1/catalog", body=data, headers=headers)


def run(backend: str, url: str) -> Result:
    """Seed `url`, serve it with gunicorn, load it for SECONDS; return what happened."""
    setup, result = prepare(url), Result(backend)
    with gunicorn_server(url, workers=WORKERS, env={"REQUIRE_MFA": "off"}) as server:
        cookies = {email: log_in(server.port, email) for email in setup.teams}
        start = time.monotonic()
        stop = start + SECONDS
        with ThreadPoolExecutor(len(cookies) + len(setup.tokens) + 1) as pool:
            jobs = [pool.submit(importer, server.port, setup, start + SECONDS / 2, result)]
            for email, cookie in cookies.items():
                team = setup.teams[email]
                jobs.append(
                    pool.submit(manager, server.port, cookie, team, setup.roles, stop, result)
                )
            for email in setup.tokens:
                jobs.append(pool.submit(engineer, server.port, email, setup, stop, result))
            for job in jobs:
                job.result()
    result.problems = [
        line for line in server.log().splitlines() if any(p in line for p in PROBLEMS)
    ]
    result.stored = _evidence_count(url) - setup.evidence_before
    return result


def _evidence_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(Evidence.__table__)).scalar_one()
            )
    finally:
        engine.dispose()


def load_results() -> list[Result]:
    """Run the mixed load on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(run("SQLite", f"sqlite:///{folder}/load.db"))
    if os.environ.get("TEST_DATABASE_URL"):
        with ExitStack() as stack:
            url = stack.enter_context(throwaway_database(f"tracker_load_{uuid.uuid4().hex[:8]}"))
            results.append(run("PostgreSQL", url))
    for result in results:
        if result.failed():
            print(f"!!! mixed load on {result.backend} went wrong: see the table", file=sys.stderr)
    return results


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0-1) of `samples`."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def load_table(results: list[Result]) -> list[str]:
    """Return the Markdown lines reporting the mixed load."""
    lines = [
        "## Mixed load under gunicorn",
        "",
        f"{SECONDS:.0f} s on loopback, gunicorn with {WORKERS} sync workers (production mode), "
        f"the demo organisation (40 engineers) with its history: {len(MANAGERS)} managers "
        f"alternating their team's dashboard and a chart, {ENGINEERS} engineers posting "
        "evidence through the API, one L&D catalogue import halfway through.",
        "",
        "| database | request | requests | errors | 5xx | p50 ms | p95 ms | req/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for kind in EXPECTED:
            samples, count = r.samples.get(kind, []), len(r.samples.get(kind, []))
            if not samples:
                lines.append(f"| {r.backend} | {kind} | 0 | – | – | – | – | – |")
                continue
            p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
            errors, fives = r.errors(kind), sum(n for s, n in r.statuses[kind].items() if s >= 500)
            lines.append(
                f"| {r.backend} | {kind} | {count} | {errors} | {fives} | {p50:.0f} | "
                f"{p95:.0f} | {count / SECONDS:.1f} |"
            )
    lines.append("")
    for r in results:
        lines.append(f"{r.backend}: {r.accepted()} evidence posts answered 201, {r.stored} stored.")
        if r.server_errors():
            lines.append(
                f"**{r.backend}: {r.server_errors()} SERVER ERRORS (5xx): none is allowed.**"
            )
        if r.stored != r.accepted():
            lines.append(
                f"**{r.backend}: EVIDENCE LOST: {r.accepted() - r.stored} accepted posts missing.**"
            )
        lines += [f"**{r.backend} server output:** `{line.strip()}`" for line in r.problems[:10]]
        if len(r.problems) > 10:
            lines.append(f"**{r.backend}: {len(r.problems) - 10} more such lines.**")
    return lines


if __name__ == "__main__":
    outcome = load_results()
    print("\n".join(load_table(outcome)))
    sys.exit(1 if any(r.failed() for r in outcome) else 0)
