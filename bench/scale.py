"""`make bench`, scale: one organisation per size, seeded, then timed route by route.

For each size (`BENCH_SIZES`, default 1,000 and 10,000 engineers) on a temporary SQLite file,
then, when TEST_DATABASE_URL names a PostgreSQL server, again on a throwaway PostgreSQL database:
seed it the way `flask demo seed --engineers N --evidence 50` does, move engineers into teams
of 12, 100 and 1,000 (as many as the organisation holds), then time with the Flask test client
`/healthz`, the engineer's progress API, the team API and dashboard at each team size (and the
largest team's API answer and dashboard as a first view, their kept figures cleared), the
company view as L&D, a team chart uncached and cached beside matplotlib alone drawing the same
figure, and count the statements each call sends. Each call is timed turn about with `/healthz`
(sample by sample, without a session) and its ratio is to that `/healthz`; the uncached chart
turn about with matplotlib alone: this machine's speed moves from minute to minute, and a ratio
of two calls timed minutes apart measured that as much as the call. Last, requests per second
of the team API under gunicorn with 2 workers, from a bounded pool of client threads on
loopback.

On PostgreSQL the seeded tables are vacuumed and analysed (`VACUUM ANALYZE`) before the calls are
timed, as autovacuum soon does on a server after a bulk load (PostgreSQL 13 and later vacuum
tables that only grew too): the planner then works from statistics of the data, index-only scans
need not visit the table, and no automatic vacuum lands in the middle of the samples. A
`CHECKPOINT` then writes out the pages the load left dirty, which the server would otherwise
flush to disk while the first calls are timed (the bench connects as a role that may ask for one,
as `postgres` on a test server does).
"""

from __future__ import annotations

import contextvars
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from flask.testing import FlaskClient
from sqlalchemy import event, insert, text, update

from config import TestingConfig
from tests.postgres import throwaway_database
from tracker import charts, create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import DEMO_PASSWORD, seed_people
from tracker.demo_history import generate_history
from tracker.extensions import cache, db
from tracker.models import Role, Team, TeamManager, User, UserRole
from tracker.operations.tokens import issue_token
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import team_chart

DEFAULT_SIZES = (1_000, 10_000)
TEAM_SIZES = (12, 100, 1_000)
EVIDENCE = 50  # about this many pieces of evidence per engineer
ROLE = "ml-engineer"
BUDGET = 4.0  # seconds of samples per call at most
SAMPLES = (5, 60)  # at least, at most
LOAD_SECONDS = 10.0
LOAD_THREADS = 8
SQLITE, POSTGRESQL = "SQLite", "PostgreSQL"


def sizes() -> list[int]:
    """Return the organisation sizes to measure, from BENCH_SIZES (e.g. "1000,10000,100000")."""
    raw = os.environ.get("BENCH_SIZES", "")
    return [int(s) for s in raw.split(",") if s.strip()] or list(DEFAULT_SIZES)


@dataclass
class Call:
    """One measured call: its samples in milliseconds and the statements it sent.

    `beside` holds the samples of `/healthz` timed turn about with it, when it was.
    """

    name: str
    samples: list[float]
    statements: int | None = None
    beside: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def ratio(self, baseline: float) -> float:
        """Return the median over `/healthz`'s: the one timed turn about, else `baseline`."""
        return self.median / (statistics.median(self.beside) if self.beside else baseline)


@dataclass
class Scale:
    """Everything measured for one organisation size."""

    engineers: int
    database: str = SQLITE
    evidence: int = 0
    seed_seconds: float = 0.0
    seed_cpu: float = 0.0
    calls: list[Call] = field(default_factory=list)
    requests_per_second: float | None = None
    load_team: int = 0
    load_errors: int = 0
    worker_mb: list[float] = field(default_factory=list)

    def call(self, name: str) -> Call | None:
        return next((c for c in self.calls if c.name == name), None)


def sample(call: Callable[[], object]) -> list[float]:
    """Time `call` after one warm-up: at least 5 and at most 60 times, within about 4 s."""
    call()
    out: list[float] = []
    deadline = time.perf_counter() + BUDGET
    while len(out) < SAMPLES[0] or (len(out) < SAMPLES[1] and time.perf_counter() < deadline):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def sample_pair(
    first: Callable[[], object], second: Callable[[], object]
) -> tuple[list[float], list[float]]:
    """Time two calls turn about, sample by sample, so that both meet the same machine.

    A ratio of their medians then compares them under the same load, not one call's quiet
    seconds with the other's busy ones (after one warm-up each; as many samples as `sample`).
    """
    first(), second()
    out: tuple[list[float], list[float]] = ([], [])
    deadline = time.perf_counter() + 2 * BUDGET
    while len(out[0]) < SAMPLES[0] or (len(out[0]) < SAMPLES[1] and time.perf_counter() < deadline):
        for call, samples in ((first, out[0]), (second, out[1])):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
    return out


@contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the statements sent to the database inside the block."""
    sent: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def seed(engineers: int) -> tuple[float, float, int]:
    """Seed the current app's empty database; return seconds, CPU seconds, pieces of evidence.

    The CPU seconds are this process's alone: on a shared machine they say what the seeding
    costs when the wall-clock seconds include waiting for other work.
    """
    start, cpu = time.perf_counter(), time.process_time()
    seed_people(engineers, seed=1)
    load_default_catalogue()
    history = generate_history(1, date.today(), evidence=EVIDENCE)
    db.session.commit()
    return time.perf_counter() - start, time.process_time() - cpu, history["evidence"]


def bench_teams(engineers: int) -> dict[int, int]:
    """Move plain engineers into teams of 12, 100 and 1,000 the demo manager manages.

    Returns {team size: team id} for the sizes the organisation holds.
    """
    manager = db.session.scalar(db.select(User.id).where(User.email == "manager@example.com"))
    managers = db.select(TeamManager.user_id)
    plain = list(
        db.session.scalars(
            db.select(User.id)
            .where(User.email.like("%.%.%@example.com"), User.id.not_in(managers))
            .where(User.id.in_(db.select(UserRole.user_id).where(UserRole.role == Role.ENGINEER)))
            .order_by(User.id.desc())
        )
    )
    teams: dict[int, int] = {}
    for size in TEAM_SIZES:
        if size > len(plain):
            break
        members, plain = plain[:size], plain[size:]
        team_id = db.session.execute(
            insert(Team).values(name=f"Bench {size}").returning(Team.id)
        ).scalar_one()
        db.session.execute(insert(TeamManager).values(team_id=team_id, user_id=manager))
        db.session.execute(update(User).where(User.id.in_(members)).values(team_id=team_id))
        teams[size] = team_id
    db.session.commit()
    return teams


def measure(engineers: int, url: str, database: str = SQLITE) -> Scale:
    """Seed an organisation of `engineers` in the empty database at `url`; measure every call."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    result = Scale(engineers, database)
    with app.app_context():
        db.create_all()
        result.seed_seconds, result.seed_cpu, result.evidence = seed(engineers)
        teams = bench_teams(engineers)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
                conn.execute(text("CHECKPOINT"))  # the load's pages written now, not mid-samples
        manager = db.session.scalar(db.select(User).where(User.email == "manager@example.com"))
        _, token = issue_token(manager, "bench")
        db.session.commit()
        someone = db.session.scalar(
            db.select(User.email).where(User.team_id == teams[TEAM_SIZES[0]]).limit(1)
        )
        client, anonymous = app.test_client(), app.test_client()
        api = {"Authorization": f"Bearer {token}"}

        def get(
            path: str, headers: dict[str, str] | None = None, via: FlaskClient | None = None
        ) -> Callable[[], object]:
            def call() -> object:
                response = (via or client).get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code)
                return response

            # each request in its own context (its own `g`), as in production
            return lambda: contextvars.Context().run(call)

        healthz = get("/healthz", via=anonymous)  # no session: one statement, as everyone's

        def add(name: str, call: Callable[[], object]) -> None:
            with statements() as sent:
                call()
            samples, beside = sample_pair(call, healthz)  # the ratio compares like with like
            result.calls.append(Call(name, samples, len(sent), beside))

        with statements() as sent:
            healthz()
        result.calls.append(Call("GET /healthz (baseline)", sample(healthz), len(sent)))
        add("progress API, one engineer", get(f"/api/v1/engineers/{someone}/progress", api))
        for size, team_id in teams.items():
            add(
                f"team API, team of {size:,}",
                get(f"/api/v1/teams/{team_id}/readiness?role={ROLE}", api),
            )
        largest_api = get(f"/api/v1/teams/{teams[max(teams)]}/readiness?role={ROLE}", api)

        def first_call() -> object:
            cache.clear()  # as after any change the answer shows: computed, then kept
            return largest_api()

        add(f"team API, team of {max(teams):,}, first call", first_call)
        _log_in(client, "manager@example.com")
        for size, team_id in teams.items():
            add(f"team dashboard HTML, team of {size:,}", get(f"/team/{team_id}/?role={ROLE}"))
        largest = get(f"/team/{teams[max(teams)]}/?role={ROLE}")

        def first_view() -> object:
            cache.clear()  # as after any change the figures show: computed, then kept
            return largest()

        add(f"team dashboard HTML, team of {max(teams):,}, first view", first_view)
        chart_team = teams.get(100) or teams[TEAM_SIZES[0]]
        chart = get(f"/team/{chart_team}/charts/trend.png?role={ROLE}")
        _measure_chart(result, chart, healthz, chart_team)
        _log_in(client, "ld@example.com")
        add("company view as L&D", get("/team/company"))
        result.calls[0].samples += sample(healthz)  # the baseline before and after the rest
        result.load_team = max(teams)
        path = f"/api/v1/teams/{teams[result.load_team]}/readiness?role={ROLE}"
        result.requests_per_second, result.load_errors, result.worker_mb = serve_and_load(
            url, path, token
        )
        db.engine.dispose()
    return result


def _measure_chart(
    result: Scale, chart: Callable[[], object], healthz: Callable[[], object], team_id: int
) -> None:
    """Time a team's trend chart uncached and cached, and matplotlib alone drawing it.

    The uncached chart is timed turn about with matplotlib alone, the cached one turn about
    with `/healthz`: each ratio a target sets compares two calls that met the same machine.
    """

    def uncached() -> object:
        cache.clear()
        return chart()

    team = db.session.get_one(Team, team_id)
    data = team_chart("trend", team, ROLE, date.today(), load_catalogue())

    def alone() -> object:
        return charts.render(data.draw(), "png")

    with statements() as sent:
        uncached()
    drawn, drawing = sample_pair(uncached, alone)  # turn about: the ratio compares like
    result.calls.append(Call("trend chart PNG, uncached", drawn, len(sent)))
    with statements() as sent:
        chart()
    cached, beside = sample_pair(chart, healthz)
    result.calls.append(Call("trend chart PNG, cached", cached, len(sent), beside))
    result.calls.append(Call("matplotlib alone, same figure", drawing, 0))


def _log_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    user = db.session.scalar(db.select(User).where(User.email == email))
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["login_at"] = session["seen_at"] = int(time.time())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_and_load(url: str, path: str, token: str) -> tuple[float, int, list[float]]:
    """Serve the app with gunicorn (2 workers) and load `path`; return rps, errors, worker MB."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        return 0.0, 0, []
    port = _free_port()
    env = os.environ | {"TRACKER_ENV": "testing", "DATABASE_URL": url}
    server = subprocess.Popen(  # noqa: S603
        # no control socket: its default path is shared by every gunicorn of the same user
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        + ["--no-control-socket", "wsgi:app"],
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    try:
        _wait_for(port)
        done, errors = load(port, path, token)
        _company_view(port)  # each worker serves it, then its memory is read
        _company_view(port)
        return done / LOAD_SECONDS, errors, _worker_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz")


def _company_view(port: int) -> None:
    """Log in as L&D over HTTP and fetch the company view once."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = urlencode({"email": "ld@example.com", "password": DEMO_PASSWORD})
    connection.request(
        "POST",
        "/auth/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    connection.close()  # sync workers close each connection; the next may reach the other
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", "/team/company", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"the company view answered {response.status}")


def load(port: int, path: str, token: str) -> tuple[int, int]:
    """Send `path` from LOAD_THREADS keep-alive clients for LOAD_SECONDS; return (ok, errors)."""
    stop = time.monotonic() + LOAD_SECONDS
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> tuple[int, int]:
        ok = errors = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
        connection.close()
        return ok, errors

    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        results = list(pool.map(lambda _: client(), range(LOAD_THREADS)))
    return sum(r[0] for r in results), sum(r[1] for r in results)


def _worker_mb(master: int) -> list[float]:
    """Return the resident memory of gunicorn's workers in MB (Linux; empty elsewhere)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


def scale_rows() -> list[Scale]:
    """Measure every size in turn, each on its own temporary SQLite file.

    With TEST_DATABASE_URL set, each size is measured again on its own throwaway PostgreSQL
    database next to it, dropped afterwards.
    """
    out = []
    for engineers in sizes():
        with tempfile.TemporaryDirectory() as folder:
            out.append(measure(engineers, f"sqlite:///{folder}/scale-{engineers}.db"))
            print(f"measured {engineers:,} engineers", file=sys.stderr)
        if os.environ.get("TEST_DATABASE_URL"):
            name = f"tracker_bench_scale_{uuid.uuid4().hex[:8]}"
            with throwaway_database(name) as url:
                out.append(measure(engineers, url, POSTGRESQL))
            print(f"measured {engineers:,} engineers on PostgreSQL", file=sys.stderr)
    return out


def scale_table(results: list[Scale]) -> list[str]:
    """Return the Markdown lines of the scale section.

    Each size's SQLite table comes first; a PostgreSQL table, when measured, follows it, with
    each call's median also as a multiple of the same call's median on SQLite.
    """
    postgres = [r for r in results if r.database == POSTGRESQL]
    lines = [
        "## Scale",
        "",
        "SQLite, Flask test client; medians of up to 60 calls after a warm-up (min–max), as "
        "ratios to `/healthz` timed turn about with each call, sample by sample (the uncached "
        "chart's to the baseline row, measured before and after the other calls); "
        "statements: SQL statements one call sends. Seeding as `flask demo seed --engineers N "
        f"--evidence {EVIDENCE}`; role `{ROLE}`; teams of 12, 100 and 1,000 made by moving "
        "engineers; the company view as L&D; requests per second from "
        f"{LOAD_THREADS} client threads for {LOAD_SECONDS:.0f} s on loopback.",
    ]
    if postgres:
        lines += [
            "",
            "PostgreSQL: each organisation again on a throwaway database of the server "
            "`TEST_DATABASE_URL` names, seeded the same way, vacuumed and analysed after "
            "seeding, then measured with the same calls; its seeding CPU seconds leave out the "
            "server's own work; × SQLite: the call's median over its median on SQLite.",
        ]
    lines += [
        "",
        "| organisation | seeding s | seeding CPU s | evidence | team API req/s (gunicorn, "
        "2 workers, team of) | worker MB after that and the company view |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rps = f"{r.requests_per_second:.1f} ({r.load_team:,})" if r.requests_per_second else "—"
        if r.load_errors:
            rps += f" ({r.load_errors} errors)"
        mb = ", ".join(f"{m:.0f}" for m in r.worker_mb) or "—"
        where = f", {r.database}" if r.database != SQLITE else ""
        lines.append(
            f"| {r.engineers:,} engineers{where} | {r.seed_seconds:.1f} | {r.seed_cpu:.1f} | "
            f"{r.evidence:,} | {rps} | {mb} |"
        )
    for r in results:
        if r.database != SQLITE:
            continue
        lines += [
            "",
            f"### {r.engineers:,} engineers, {r.evidence / max(r.engineers, 1):.0f} pieces of "
            "evidence each",
            "",
            *_calls_table(r),
        ]
        for other in postgres:
            if other.engineers == r.engineers:
                lines += ["", f"#### PostgreSQL, {other.engineers:,} engineers", ""]
                lines += _calls_table(other, r)
    return lines


def _calls_table(r: Scale, sqlite: Scale | None = None) -> list[str]:
    """Return the Markdown table of `r`'s calls; beside `sqlite`'s medians when given."""
    base = r.calls[0].median
    lines = [
        "| call | median ms | min | max | × /healthz | statements |"
        + (" × SQLite |" if sqlite else ""),
        "|---|---:|---:|---:|---:|---:|" + ("---:|" if sqlite else ""),
    ]
    for c in r.calls:
        line = (
            f"| {c.name} | {c.median:.1f} | {min(c.samples):.1f} | {max(c.samples):.1f} | "
            f"{c.ratio(base):.1f} | {c.statements if c.statements is not None else '—'} |"
        )
        if sqlite:
            same = sqlite.call(c.name)
            line += f" {c.median / same.median:.2f} |" if same else " — |"
        lines.append(line)
    drawn, alone = r.call("trend chart PNG, uncached"), r.call("matplotlib alone, same figure")
    if drawn and alone:
        lines.append(f"\nUncached chart / matplotlib alone: {drawn.median / alone.median:.2f}×.")
    return lines
