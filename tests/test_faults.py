"""Faults: a process killed mid-write leaves a consistent database; the database going away.

The killed processes are real: `flask catalog import`, `flask roster import` and `flask data
import` as subprocesses, and a gunicorn worker taking a batch of evidence posts. Each gets
SIGKILL once it is provably inside its write transaction: on SQLite it holds the write lock
(which pysqlite takes at a transaction's first write, `flask data import` at its start, so
that one is also watched until its uncommitted rows reach the write-ahead log); on PostgreSQL
its transaction has an id, which a backend gets at its first write. Afterwards the database
passes its own checks, holds no row whose foreign key points nowhere, holds all of the work
or none of it, takes writes again, and a new server answers /healthz and a signed-in page.

The outage runs the app through a TCP proxy in front of PostgreSQL that the test cuts and
restores; the PostgreSQL server itself keeps running.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

from config import BASE_DIR, TestingConfig
from tests import factories
from tests.catalogue_fixtures import SMALL
from tests.postgres import throwaway_database
from tests.servers import Server, gunicorn_server, server_environment
from tests.tcp_proxy import TcpProxy
from tracker import create_app
from tracker.admin.roster_apply import import_roster
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, User
from tracker.operations.tokens import issue_token

pytestmark = pytest.mark.slow

WRITER = "tracker-killed-writer"  # the application_name of the killed process's connections
READER = "reader@corp.test"
CAUGHT_WRITING_WITHIN = 60.0


# --- databases -------------------------------------------------------------------------------


@pytest.fixture
def database(migrated_database: str) -> str:
    """The URL of a new, empty, migrated database: a SQLite file, or PostgreSQL."""
    return migrated_database


@contextmanager
def app_on(url: str) -> Iterator[Flask]:
    """The app on `url` with an app context pushed; its connections closed on the way out."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def as_writer(url: str) -> str:
    """Return `url` with connections named, so PostgreSQL shows which backends are the writer's."""
    if not url.startswith("postgresql"):
        return url
    named = make_url(url).update_query_dict({"application_name": WRITER})
    return named.render_as_string(hide_password=False)


# --- catching a writer mid-write and killing it ----------------------------------------------


class WriteWatch:
    """Tells whether another connection is inside a write transaction on the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = None if url.startswith("sqlite") else create_engine(url)
        self.conn = (
            self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.engine
            else None
        )

    def writing(self) -> bool:
        """Return True while a writer holds SQLite's write lock, or a named writer has an xid."""
        if self.conn is not None:
            found = self.conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :name "
                    "AND backend_xid IS NOT NULL"
                ),
                {"name": WRITER},
            )
            return bool(found.scalar_one())
        probe = sqlite3.connect(make_url(self.url).database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": a writer holds the lock
            return True
        finally:
            probe.close()  # closing ends the probe's own transaction, if it began one
        return False

    def close(self) -> None:
        """Close the watching connection."""
        if self.conn is not None and self.engine is not None:
            self.conn.close()
            self.engine.dispose()


def wal_bytes(url: str) -> int | None:
    """Return the size of a SQLite database's write-ahead log (None for PostgreSQL)."""
    if not url.startswith("sqlite"):
        return None
    wal = Path(f"{make_url(url).database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def kill_when_writing(
    url: str,
    process: subprocess.Popen[bytes],
    pid: int | None = None,
    wal_over: int = 0,
    output: Callable[[], str] = str,
) -> None:
    """SIGKILL `pid` (default: the process) once a write transaction is open and uncommitted.

    Fails, with what `output` returns, if `process` ends first or nothing is caught writing in
    time. With `wal_over`, a SQLite writer must also have spilled that many uncommitted bytes
    into the log.
    """
    watch = WriteWatch(url)
    deadline = time.monotonic() + CAUGHT_WRITING_WITHIN
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"it ended before it was caught writing:\n{output()}"
            spilled = wal_bytes(url)  # PostgreSQL: the transaction id already proves rows written
            if watch.writing() and (spilled is None or spilled >= wal_over):
                os.kill(pid or process.pid, signal.SIGKILL)
                return
            time.sleep(0.005)
    finally:
        watch.close()
    pytest.fail(f"nothing was caught writing within {CAUGHT_WRITING_WITHIN:.0f} s:\n{output()}")


@dataclass
class Command:
    """A running `flask …` command and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Return what the command has printed so far."""
        return self.log.read_text(errors="replace")


@pytest.fixture
def flask_command(tmp_path: Path) -> Iterator[Callable[..., Command]]:
    """Start `flask <args>` against a database in production mode; every one killed at the end."""
    started: list[Command] = []

    def start(url: str, *args: str) -> Command:
        path = tmp_path / f"flask-{len(started)}.log"
        with path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "flask", *args],
                cwd=BASE_DIR,
                env=server_environment(as_writer(url), tmp_path, FLASK_APP="wsgi"),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(Command(process, path))
        return started[-1]

    yield start
    for command in started:
        if command.process.poll() is None:
            command.process.kill()
        command.process.wait(timeout=30)


def kill_midway(url: str, command: Command, wal_over: int = 0) -> None:
    """SIGKILL the command inside its write transaction, and check that SIGKILL ended it."""
    kill_when_writing(url, command.process, wal_over=wal_over, output=command.output)
    assert command.process.wait(timeout=30) == -signal.SIGKILL, command.output()


# --- what a consistent database looks like ---------------------------------------------------


def contents(url: str) -> dict[str, list[str]]:
    """Return every row of every table, as sorted text (to compare before and after)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                for table in db.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def orphans(conn: Connection) -> dict[str, int]:
    """Return, per `table.column`, how many rows name a row that is not there."""
    found: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            target = key.column.table.alias()
            referred = target.c[key.column.name]
            missing = conn.execute(
                select(func.count())
                .select_from(table.outerjoin(target, key.parent == referred))
                .where(key.parent.is_not(None), referred.is_(None))
            ).scalar_one()
            if missing:
                found[f"{table.name}.{key.parent.name}"] = missing
    return found


def assert_consistent(url: str) -> None:
    """SQLite's integrity and foreign key checks pass; no row anywhere names a missing row."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert orphans(conn) == {}
    finally:
        engine.dispose()


# --- a person using the app through a real server ---------------------------------------------


def exchange(
    server: Server, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None
) -> tuple[int, str]:
    """Send one request with `cookies`, keep the cookies it sets; return (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.update({k: morsel.value for k, morsel in SimpleCookie(header).items()})
        return response.status, response.read().decode()
    finally:
        connection.close()


def sign_in(server: Server, email: str = READER) -> dict[str, str]:
    """Log in through the login form (CSRF token and all); return the session's cookies."""
    cookies: dict[str, str] = {}
    status, page = exchange(server, "GET", "/auth/login", cookies, None)
    assert status == 200
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "the login form carries a CSRF token"
    form = {"email": email, "password": factories.PASSWORD, "csrf_token": found.group(1)}
    status, _ = exchange(server, "POST", "/auth/login", cookies, form)
    assert status == 302, "the login form accepted the password"
    return cookies


def assert_serves(server: Server, url: str) -> None:
    """The database takes a write, and a worker started after it answers /healthz and a page."""
    with app_on(url):
        factories.make_user(email=READER, name="Rita Reader")
    restart_workers(server)
    assert server.request("GET", "/healthz") == (200, '{"status":"ok"}\n')
    status, page = exchange(server, "GET", "/", sign_in(server), None)
    assert status == 200
    assert "Rita Reader" in page


def worker_pids(server: Server) -> set[int]:
    """Return the process ids of the server's workers (the master's children)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == server.process.pid:
            children.add(int(stat.parent.name))
    return children


def restart_workers(server: Server) -> None:
    """Have the master replace its workers with new processes (SIGHUP); wait until they serve."""
    old = worker_pids(server)
    os.kill(server.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 60
    while not (worker_pids(server) and not worker_pids(server) & old):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)


@contextmanager
def killed_beside_a_server(url: str, command: Command, wal_over: int = 0) -> Iterator[Server]:
    """Kill `command` mid-write while a server starts on the same database; yield the server.

    The kill is watched from a thread, so it lands as soon as the command writes, while the
    server is still starting (each takes seconds to import the app; this way they overlap).
    """
    failures: list[BaseException] = []

    def watch() -> None:
        try:
            kill_midway(url, command, wal_over)
        except BaseException as failure:  # an assertion or pytest.fail, raised below instead
            failures.append(failure)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with gunicorn_server(url, workers=1) as server:
        watcher.join(timeout=CAUGHT_WRITING_WITHIN + 40)
        if failures:
            raise failures[0]
        assert not watcher.is_alive(), command.output()
        yield server


# --- item 29: imports killed mid-way -----------------------------------------------------------


def large_catalogue(modules: int) -> dict[str, Any]:
    """A catalogue of `modules` new modules over 40 new competencies, changing one known module."""
    competencies = [
        {"key": f"c{i}", "name": f"Competency {i}", "family": "data"} for i in range(40)
    ]
    rows = [
        {
            "key": f"m{i}",
            "title": f"Module {i}",
            "url": f"https://example.org/m{i}",
            "hours": 2,
            "develops": [{"competency": f"c{i % 40}", "level": 1 + i % 4}],
        }
        for i in range(modules)
    ]
    rows.append(
        {
            "key": "capstone",
            "title": "Capstone, renamed by the large import",
            "url": "https://example.org/capstone",
            "hours": 25,
            "develops": [{"competency": "model-evaluation", "level": 3}],
        }
    )
    return {"version": 1, "competencies": competencies, "modules": rows}


def test_a_catalogue_import_killed_midway_changes_nothing(
    database: str, flask_command: Callable[..., Command], tmp_path: Path
) -> None:
    with app_on(database):
        import_text(SMALL, "small.yaml")
        db.session.commit()
    before = contents(database)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(large_catalogue(800)))

    importer = flask_command(database, "catalog", "import", str(path))
    with killed_beside_a_server(database, importer) as server:
        assert_consistent(database)
        assert contents(database) == before  # not one module, outcome, rename or audit row
        assert_serves(server, database)


def large_roster(people: int) -> str:
    """A roster of `people` engineers, teams of 20 under new managers; one known person renamed."""
    teams = people // 20
    lines = ["email,name,team,manager_email,roles", "lead@corp.test,Lee Renamed,Core,,manager"]
    lines += [f"boss{t}@corp.test,Boss {t},Team {t},,manager;engineer" for t in range(teams)]
    lines += [
        f"p{i}@corp.test,Person {i},Team {i % teams},boss{i % teams}@corp.test,engineer"
        for i in range(people)
    ]
    return "\n".join(lines) + "\n"


def test_a_roster_import_killed_midway_changes_nothing(
    database: str, flask_command: Callable[..., Command], tmp_path: Path
) -> None:
    with app_on(database):
        import_roster(
            "email,name,team,manager_email,roles\n"
            "lead@corp.test,Lee Lead,Core,,manager\n"
            "dev@corp.test,Dev One,Core,lead@corp.test,engineer\n"
        )
        db.session.commit()
    before = contents(database)
    path = tmp_path / "roster.csv"
    path.write_text(large_roster(800))

    importer = flask_command(database, "roster", "import", str(path))
    with killed_beside_a_server(database, importer) as server:
        assert_consistent(database)
        assert contents(database) == before  # no person, team, role, manager link or rename
        assert_serves(server, database)


@pytest.fixture(scope="module")
def large_document(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `flask data export` of an organisation, with 200,000 audit rows added to its history."""
    folder = tmp_path_factory.mktemp("document")
    shutil.copyfile(sqlite_template, folder / "source.db")
    path = folder / "organisation.json"
    with app_on(f"sqlite:///{folder / 'source.db'}") as app:
        import_text(SMALL, "small.yaml")
        import_roster(large_roster(40))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["data", "export", str(path)])
        assert result.exit_code == 0, result.output
    document = json.loads(path.read_text())
    (audit,) = [table for table in document["tables"] if table["name"] == "audit_events"]
    first = max(row[audit["columns"].index("id")] for row in audit["rows"]) + 1
    filler = {"id": 0, "at": "2026-01-05T10:00:00Z", "action": "filler", "target": "", "detail": ""}
    for number in range(first, first + 200_000):
        filler["id"] = number
        audit["rows"].append([filler.get(column) for column in audit["columns"]])
    path.write_text(json.dumps(document))
    return path


def test_a_data_import_killed_midway_leaves_the_database_as_migrated(
    database: str, flask_command: Callable[..., Command], large_document: Path
) -> None:
    migrated = contents(database)  # no records; only what migrations themselves put there
    importer = flask_command(database, "data", "import", str(large_document))
    with killed_beside_a_server(database, importer, wal_over=1_000_000) as server:
        assert_consistent(database)
        assert contents(database) == migrated
        assert_serves(server, database)


# --- item 29: a gunicorn worker killed in the middle of a batch of evidence --------------------


class Poster(threading.Thread):
    """Posts assessment attempts for one engineer until stopped; keeps every answer."""

    def __init__(self, server: Server, email: str, token: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.server, self.email, self.token, self.stop = server, email, token, stop
        self.stored: dict[int, int] = {}  # evidence id -> score, for every 201
        self.unanswered = 0  # requests the killed worker took with it
        self.other: list[tuple[int, str]] = []

    def run(self) -> None:
        score = 0
        while not self.stop.is_set():
            score = (score + 7) % 101
            body = {
                "engineer": self.email,
                "module": "mlcc-classification",
                "taken_on": "2026-01-15",
                "score": score,
            }
            try:
                status, text = self.server.request(
                    "POST",
                    "/api/v1/assessment-attempts",
                    body,
                    {"Authorization": f"Bearer {self.token}"},
                    timeout=30,
                )
            except (OSError, http.client.HTTPException):
                self.unanswered += 1
                continue
            if status == 201:
                self.stored[json.loads(text)["id"]] = score
            else:
                self.other.append((status, text[:200]))


def test_a_worker_killed_during_a_batch_of_evidence_loses_no_answered_write(
    database: str,
) -> None:
    with app_on(database):
        import_text(SMALL, "small.yaml")
        engineers = [factories.make_user(email=f"e{i}@corp.test") for i in range(4)]
        tokens = [issue_token(person, "batch")[1] for person in engineers]
        factories.make_user(email=READER, name="Rita Reader")
        db.session.commit()
    with gunicorn_server(as_writer(database), workers=1, args=("--threads", "4")) as server:
        (worker,) = worker_pids(server)
        stop = threading.Event()
        posters = [Poster(server, f"e{i}@corp.test", token, stop) for i, token in enumerate(tokens)]
        for poster in posters:
            poster.start()
        try:
            kill_when_writing(database, server.process, pid=worker, output=server.log)
            answered_before_kill = sum(len(p.stored) for p in posters)
            # The master starts a new worker; the batch goes on until it has taken more.
            deadline = time.monotonic() + 60
            while sum(len(p.stored) for p in posters) < answered_before_kill + 20:
                assert time.monotonic() < deadline, server.log()
                time.sleep(0.05)
        finally:
            stop.set()
            for poster in posters:
                poster.join(timeout=60)
        assert worker not in worker_pids(server)
        assert server.request("GET", "/healthz")[0] == 200
        status, page = exchange(server, "GET", "/", sign_in(server), None)
        assert (status, "Rita Reader" in page) == (200, True)

    assert [p.other for p in posters] == [[], [], [], []]
    answered = {key: score for p in posters for key, score in p.stored.items()}
    unanswered = sum(p.unanswered for p in posters)
    assert_consistent(database)
    with app_on(database):
        stored = dict(db.session.execute(db.select(Evidence.id, Evidence.score)).all())
        recorded = db.session.scalars(
            db.select(AuditEvent.target).where(AuditEvent.action == "evidence.recorded")
        ).all()
        owners = set(db.session.scalars(db.select(User.email).join(Evidence.user)))
    assert {key: stored.get(key) for key in answered} == answered  # every 201 is stored as sent
    assert len(stored) - len(answered) <= unanswered  # at most the answers the kill lost
    assert sorted(recorded) == sorted(f"evidence {key}" for key in stored)  # each with its audit
    assert owners <= {f"e{i}@corp.test" for i in range(4)}


# --- the database going away for a while ---------------------------------------------------------


def test_postgresql_going_away_answers_503_then_recovers_without_a_restart(
    postgres_template: str | None,
) -> None:
    if postgres_template is None:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    name = f"tracker_faults_{uuid.uuid4().hex[:8]}"
    with throwaway_database(name, postgres_template) as url:
        with app_on(url):
            import_text(SMALL, "small.yaml")
            reader = factories.make_user(email=READER, name="Rita Reader")
            token = issue_token(reader, "outage")[1]
            db.session.commit()
        direct = make_url(url)
        with TcpProxy(direct.host or "127.0.0.1", direct.port or 5432) as proxy:
            through = direct.set(port=proxy.port).render_as_string(hide_password=False)
            with gunicorn_server(through, workers=1) as server:
                _ride_out_an_outage(server, proxy, token)


def _ride_out_an_outage(server: Server, proxy: TcpProxy, token: str) -> None:
    cookies = sign_in(server)
    (worker,) = worker_pids(server)
    assert exchange(server, "GET", "/", cookies, None)[0] == 200
    proxy.cut()
    _answers_unavailable(server, cookies, token)
    proxy.restore()
    _answers_again(server, cookies, token)
    assert worker_pids(server) == {worker}  # the same worker recovered: nothing restarted


ATTEMPT = {
    "engineer": READER,
    "module": "capstone",
    "taken_on": "2026-01-15",
    "score": 90,
    "evidence_url": "https://git.example.com/reader/capstone",  # a passed project needs one
}


def _answers_unavailable(server: Server, cookies: dict[str, str], token: str) -> None:
    """/healthz, a page and the API answer 503, each in its own shape, revealing nothing."""
    bearer = {"Authorization": f"Bearer {token}"}
    health = server.request("GET", "/healthz")
    assert health[0] == 503
    assert json.loads(health[1])["status"] == "unavailable"
    status, page = exchange(server, "GET", "/", cookies, None)
    assert status == 503
    assert "unavailable for a moment" in page
    for leak in ("Traceback", "psycopg", "sqlite", "OperationalError", "SELECT", "tracker.db"):
        assert leak not in page
    status, body = server.request("GET", "/api/v1/me", headers=bearer)
    assert status == 503
    assert json.loads(body)["error"]["code"] == "unavailable"
    assert server.request("POST", "/api/v1/assessment-attempts", ATTEMPT, bearer)[0] == 503


def _answers_again(server: Server, cookies: dict[str, str], token: str) -> None:
    """/healthz, the same session's page and the API answer as before; a post is stored once."""
    bearer = {"Authorization": f"Bearer {token}"}
    assert server.request("GET", "/healthz") == (200, '{"status":"ok"}\n')
    status, page = exchange(server, "GET", "/", cookies, None)  # still signed in
    assert (status, "Rita Reader" in page) == (200, True)
    assert json.loads(server.request("GET", "/api/v1/me", headers=bearer)[1])["email"] == READER
    status, body = server.request("POST", "/api/v1/assessment-attempts", ATTEMPT, bearer)
    assert status == 201
    progress = server.request("GET", f"/api/v1/engineers/{READER}/progress", headers=bearer)
    assert [e["id"] for e in json.loads(progress[1])["evidence"]] == [json.loads(body)["id"]]


def test_a_sqlite_file_gone_answers_503_then_recovers_when_it_is_back(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """A worker that opens the database while its file is away (moved, a volume not mounted).

    Workers that already hold the file open keep reading it (the name is gone, the file is not);
    a worker started meanwhile finds no file, and SQLite makes an empty one in its place.
    """
    path = tmp_path / "tracker.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    with app_on(url):
        import_text(SMALL, "small.yaml")
        reader = factories.make_user(email=READER, name="Rita Reader")
        token = issue_token(reader, "outage")[1]
        db.session.commit()
    away = tmp_path / "away"
    away.mkdir()
    with gunicorn_server(url, workers=1) as server:
        cookies = sign_in(server)
        files = [path.name, f"{path.name}-wal", f"{path.name}-shm"]
        for name in files:
            (tmp_path / name).rename(away / name)
        restart_workers(server)  # a worker with no connection yet
        (worker,) = worker_pids(server)
        _answers_unavailable(server, cookies, token)

        for name in files:
            (away / name).replace(tmp_path / name)
        _answers_again(server, cookies, token)
        assert worker_pids(server) == {worker}  # the same worker recovered: nothing restarted
