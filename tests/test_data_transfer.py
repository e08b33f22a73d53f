"""`flask data export|import`: every record moves between databases, exactly, or nothing moves.

The source is always a migrated SQLite database; each target is a fresh migrated database,
SQLite and (with TEST_DATABASE_URL) PostgreSQL, made from a template migrated once.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Table, create_engine, func, text, update
from sqlalchemy.engine import make_url

from config import BASE_DIR, TestingConfig
from tests.migrated import fresh_sqlite
from tracker import audit, create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.demo_history import generate_history
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEvent,
    Competency,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Integration,
    LearningPath,
    LinkPurpose,
    Module,
    Notification,
    OneTimeLink,
    Role,
    StaffingTarget,
    Team,
    User,
    XapiActivityLink,
    XapiActorLink,
    XapiStatement,
)
from tracker.transfer.database import record_tables, snapshot

pytestmark = pytest.mark.slow


# --- databases -------------------------------------------------------------------------------


def run(url: str, *args: str) -> Result:
    """Run `flask <args>` against the database at `url`."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        db.engine.dispose()
    return result


def counts(url: str, tables: list[Table] | None = None) -> dict[str, int]:
    """Return the number of rows in each table holding records (or in `tables`)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            t.name: conn.execute(db.select(func.count()).select_from(t)).scalar_one()
            for t in (tables if tables is not None else record_tables(db.metadata))
        }
    engine.dispose()
    return found


@pytest.fixture
def target(migrated_database: str) -> str:
    """The URL of a fresh, empty, migrated database: SQLite, or PostgreSQL."""
    return migrated_database


# --- a realistic organisation ----------------------------------------------------------------


def _the_rest_of_the_organisation() -> None:
    """Add what the demo seed does not make: archived items, tokens, links, xAPI, notices."""
    now = datetime(2026, 11, 30, 9, 15, 30, 123456, tzinfo=UTC)
    for model in (Module, Competency, LearningPath):
        first = db.session.scalar(db.select(model.id).order_by(model.id.desc()))
        db.session.execute(update(model).where(model.id == first).values(archived_at=now))
    db.session.execute(update(StaffingTarget).values(archived_at=now).where(StaffingTarget.id == 1))
    engineer = db.session.scalar(db.select(User).where(User.email == "engineer@example.com"))
    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.com"))
    platform = Integration(name="Course platform", scopes="xapi", created_by_id=admin.id)
    db.session.add(platform)
    db.session.flush()
    db.session.add_all(
        [
            ApiToken(
                user_id=engineer.id,
                label="nightly",
                token_hash=hashlib.sha256(b"secret").hexdigest(),
                prefix="trk_abcd",
                last_used_at=now,
            ),
            OneTimeLink(
                user_id=engineer.id,
                purpose=LinkPurpose.RESET,
                token_hash=hashlib.sha256(b"link").hexdigest(),
                expires_at=now + timedelta(hours=1),
            ),
            Notification(user_id=engineer.id, message="Your evidence was verified.", link="/me"),
            ApiToken(
                integration_id=platform.id,
                label="integration Course platform",
                token_hash=hashlib.sha256(b"platform").hexdigest(),
                prefix="trk_plat",
            ),
            XapiActivityLink(
                activity="https://lms.example.com/course/42",
                module_id=db.session.scalar(db.select(Module.id).order_by(Module.id)),
                created_by_id=admin.id,
                created_at=now,
            ),
            XapiActorLink(
                address="account:https://lms.example.com#engineer-7",
                user_id=engineer.id,
                created_by_id=admin.id,
                created_at=now,
            ),
            XapiStatement(
                id=str(uuid.UUID(int=2)),
                body='{"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}}',
                received_at=now,
                received_via_id=platform.id,
                actor_email="account:https://lms.example.com#engineer-7",
                verb="http://adlnet.gov/expapi/verbs/experienced",
                activity="https://lms.example.com/course/42",
                outcome="ignored",
            ),
            XapiStatement(
                id=str(uuid.UUID(int=1)),
                body='{"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}',
                received_at=now,
                received_from_id=admin.id,
                actor_email="engineer@example.com",
                verb="http://adlnet.gov/expapi/verbs/completed",
                activity="https://example.org/course/classification",
                outcome="recorded",
            ),
        ]
    )
    audit.record("role.changed", "engineer@example.com", "roles=engineer", actor=admin)
    db.session.commit()


@pytest.fixture(scope="module")
def organisation(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export of a migrated SQLite database holding a 15-engineer organisation."""
    folder = tmp_path_factory.mktemp("organisation")
    url = fresh_sqlite(sqlite_template, folder)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seed_people(15, seed=3)
        load_default_catalogue()
        generate_history(3, date(2026, 11, 30))
        db.session.commit()
        _the_rest_of_the_organisation()
        db.engine.dispose()
    path = folder / "organisation.json"
    result = run(url, "data", "export", str(path))
    assert result.exit_code == 0, result.output
    return path


def tables_of(path: Path) -> dict[str, dict[str, Any]]:
    """Return the document's tables by name."""
    return {table["name"]: table for table in json.loads(path.read_text())["tables"]}


# --- round trip ------------------------------------------------------------------------------


def test_the_export_holds_every_table_and_every_kind_of_record(organisation: Path) -> None:
    tables = tables_of(organisation)
    assert list(tables) == [t.name for t in record_tables(db.metadata)]  # new tables included
    assert not {"evidence_firsts", "catalogue_version"} & set(tables)  # derived: rebuilt on import
    for name in (
        "users", "teams", "team_managers", "user_roles", "competencies", "modules",
        "learning_paths", "enrolments", "evidence", "self_assessments", "staffing_targets",
        "api_tokens", "one_time_links", "audit_events", "xapi_statements", "notifications",
        "integrations", "xapi_activity_links", "xapi_actor_links",
    ):  # fmt: skip
        assert tables[name]["rows"], f"{name} is empty in the test organisation"
    evidence = tables["evidence"]
    status, decided_by = (evidence["columns"].index(c) for c in ("status", "decided_by_id"))
    decided = [row for row in evidence["rows"] if row[status] in ("verified", "rejected")]
    assert decided and all(row[decided_by] for row in decided)
    modules = tables["modules"]
    archived = modules["columns"].index("archived_at")
    assert any(row[archived] for row in modules["rows"])
    assert oct(organisation.stat().st_mode & 0o777) == "0o600"  # it holds password hashes


def test_import_then_export_gives_the_same_document(organisation: Path, target: str, tmp_path):
    result = run(target, "data", "import", str(organisation))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported ") and len(result.stdout.splitlines()) == 1
    checked = run(target, "figures", "check")  # the derived tables are rebuilt on import
    assert checked.exit_code == 0 and "match" in checked.stdout, checked.output
    derived = counts(target, db.metadata.sorted_tables)
    assert derived["evidence_firsts"] > 0
    assert derived["catalogue_version"] == 1  # a fresh token: kept catalogues are stale
    again = tmp_path / "again.json"
    assert run(target, "data", "export", str(again)).exit_code == 0
    assert again.read_bytes() == organisation.read_bytes()  # the same document, byte for byte


def test_a_reformatted_document_imports_the_same(organisation: Path, target: str, tmp_path):
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(organisation.read_text()), indent=2, sort_keys=True))
    assert run(target, "data", "import", str(pretty)).exit_code == 0
    again = tmp_path / "again.json"
    assert run(target, "data", "export", str(again)).exit_code == 0
    assert again.read_bytes() == organisation.read_bytes()


def test_new_rows_after_an_import_get_fresh_ids(organisation: Path, target: str) -> None:
    assert run(target, "data", "import", str(organisation)).exit_code == 0
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=target)
    with app.app_context():
        largest = {m: db.session.scalar(db.select(func.max(m.id))) for m in (User, Team)}
        user, team = User(email="new@corp.test", name="New"), Team(name="Brand new")
        db.session.add_all([user, team])
        db.session.commit()
        assert (user.id, team.id) == (largest[User] + 1, largest[Team] + 1)
        db.engine.dispose()


def test_values_survive_exactly(sqlite_template: Path, target: str, tmp_path: Path) -> None:
    source = fresh_sqlite(sqlite_template, tmp_path)
    india = timezone(timedelta(hours=5, minutes=30))
    long_text = ('Line "one"\\ with a tab\tand\nnew lines, ünïcödé 🚀 ' * 2000).strip()
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=source)
    with app.app_context():
        person = User(
            email="zoe@corp.test",
            name="Zoë Ångström-李雷 🚀",
            password_hash=None,
            locked_until=datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=india),
        )
        person.set_roles({Role.ENGINEER, Role.LD})
        db.session.add(person)
        db.session.flush()
        module = Module(key="m", title="Mödule", hours=Decimal("12.5"))
        db.session.add(module)
        db.session.flush()
        db.session.add(
            Evidence(
                user_id=person.id,
                module_id=module.id,
                kind=EvidenceKind.ATTEMPT,
                date=date(2024, 2, 29),
                hours=Decimal("0.1"),
                notes=long_text,
                score=0,
                passed=False,
                status=EvidenceStatus.REJECTED,
                decided_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        db.session.commit()
        db.engine.dispose()
    document = tmp_path / "values.json"
    assert run(source, "data", "export", str(document)).exit_code == 0
    assert run(target, "data", "import", str(document)).exit_code == 0
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=target)
    with app.app_context():
        person = db.session.scalar(db.select(User).where(User.email == "zoe@corp.test"))
        assert person.name == "Zoë Ångström-李雷 🚀"
        assert person.roles == {Role.ENGINEER, Role.LD}
        assert person.locked_until == datetime(2026, 3, 1, 18, 29, 59, 999999, tzinfo=UTC)
        assert (person.password_hash, person.team_id, person.last_login_at) == (None, None, None)
        assert person.active is True
        evidence = db.session.scalar(db.select(Evidence))
        assert evidence.notes == long_text
        assert (evidence.date, evidence.hours, evidence.score, evidence.passed) == (
            date(2024, 2, 29),
            Decimal("0.1"),
            0,
            False,
        )
        assert evidence.kind is EvidenceKind.ATTEMPT
        assert evidence.status is EvidenceStatus.REJECTED
        assert evidence.decided_at == datetime(2026, 1, 1, tzinfo=UTC)
        assert evidence.decided_by_id is None
        assert db.session.scalar(db.select(Module.hours)) == Decimal("12.5")
        db.engine.dispose()


# --- refusals --------------------------------------------------------------------------------


def _document(revision: object, **changes: Any) -> dict[str, Any]:
    """A small valid document: one team and one person in it."""
    doc = {
        "format": "tracker-data",
        "format_version": 1,
        "schema_revision": revision,
        "tables": [
            {"name": "teams", "columns": ["id", "name", "created_at"],
             "rows": [[1, "Payments", "2026-01-01T10:00:00Z"]]},
            {"name": "users", "columns": ["id", "email", "name", "team_id", "created_at"],
             "rows": [[1, "a@corp.test", "A", 1, "2026-01-01T10:00:00Z"]]},
        ],
    }  # fmt: skip
    doc.update(changes)
    return doc


def _with_table(revision: object, table: dict[str, Any]) -> dict[str, Any]:
    doc = _document(revision)
    doc["tables"].append(table)
    return doc


def _revision(organisation: Path) -> str:
    with organisation.open() as f:
        return json.loads(f.readline().removesuffix(', "tables": [\n') + "}")["schema_revision"]


BAD_DOCUMENTS: dict[str, tuple[Callable[[str], object], str]] = {
    "missing file": (lambda rev: None, "cannot read"),
    "not JSON": (lambda rev: "this is not { JSON", "not valid JSON"),
    "cut short": (lambda rev: json.dumps(_document(rev))[:-30], "not valid JSON"),
    "not a document": (lambda rev: [1, 2, 3], "not a tracker data file"),
    "newer format": (lambda rev: _document(rev, format_version=2), "newer than this tracker"),
    "other revision": (lambda rev: _document("0123456789ab"), "flask db upgrade"),
    "no revision": (lambda rev: _document(None), "schema revision"),
    "unknown table": (
        lambda rev: _with_table(rev, {"name": "widgets", "columns": [], "rows": []}),
        "'widgets' is not in this database's schema",
    ),
    "unknown column": (
        lambda rev: _with_table(rev, {"name": "notifications", "columns": ["colour"], "rows": []}),
        "no column 'colour'",
    ),
    "bad value": (
        lambda rev: _with_table(
            rev,
            {
                "name": "staffing_targets",
                "columns": ["id", "team_id", "role_id", "count", "by"],
                "rows": [[1, 1, 1, 3, "next spring"]],
            },
        ),
        "column by: expected an ISO 8601 date",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_bad_input_exits_non_zero_with_one_line_and_imports_nothing(
    organisation: Path, target: str, tmp_path: Path, case: str
) -> None:
    make, reason = BAD_DOCUMENTS[case]
    content = make(_revision(organisation))
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    result = run(target, "data", "import", str(path))
    assert result.exit_code != 0
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert not any(counts(target).values())


def test_a_database_with_rows_is_refused_and_left_as_it_was(organisation: Path, target: str):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=target)
    with app.app_context():
        db.session.add(Team(name="Already here"))
        db.session.commit()
        db.engine.dispose()
    result = run(target, "data", "import", str(organisation))
    assert result.exit_code != 0
    assert "not empty (teams has rows)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {k: v for k, v in counts(target).items() if v} == {"teams": 1}


def test_an_unmigrated_database_is_told_to_run_upgrade(organisation: Path, tmp_path: Path):
    result = run(f"sqlite:///{tmp_path / 'bare.db'}", "data", "import", str(organisation))
    assert result.exit_code != 0
    assert "run `flask db upgrade` on it first" in result.stderr


# --- all or nothing --------------------------------------------------------------------------


def _spoilt(organisation: Path, tmp_path: Path, spoil: Callable[[dict[str, Any]], None]) -> Path:
    doc = json.loads(organisation.read_text())
    spoil({table["name"]: table for table in doc["tables"]})
    path = tmp_path / "spoilt.json"
    path.write_text(json.dumps(doc))
    return path


def _duplicate_in_last_table(tables: dict[str, Any]) -> None:
    last = [table for table in tables.values() if table["rows"]][-1]
    last["rows"].append(last["rows"][0])


def _evidence_of_nobody(tables: dict[str, Any]) -> None:
    evidence = tables["evidence"]
    evidence["rows"][-1][evidence["columns"].index("user_id")] = 999_999


@pytest.mark.parametrize("spoil", [_duplicate_in_last_table, _evidence_of_nobody])
def test_a_row_the_database_refuses_leaves_the_target_empty(
    organisation: Path, target: str, tmp_path: Path, spoil: Callable[[dict[str, Any]], None]
) -> None:
    result = run(target, "data", "import", str(_spoilt(organisation, tmp_path, spoil)))
    assert result.exit_code != 0
    assert "the database refused" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(counts(target).values())


def test_a_killed_import_leaves_the_target_empty(
    organisation: Path, target: str, tmp_path: Path
) -> None:
    path = tmp_path / "large.json"
    rows = 200_000
    with path.open("w") as out:
        head = json.dumps(_document(_revision(organisation)))[: -len("]}")]
        columns = json.dumps(["id", "at", "action"])
        out.write(f'{head}, {{"name": "audit_events", "columns": {columns}, "rows": [\n')
        out.write(",\n".join(f'[{i}, "2026-01-01T10:00:00Z", "filler"]' for i in range(1, rows)))
        out.write("\n]}]}\n")
    env = os.environ | {
        "FLASK_APP": "wsgi",
        "TRACKER_ENV": "testing",
        "DATABASE_URL": target,
        "SECRET_KEY": "testing-secret-key",
    }
    importer = subprocess.Popen(
        [sys.executable, "-m", "flask", "data", "import", str(path)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_rows_are_being_written(target, importer)
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)
    assert importer.returncode == -signal.SIGKILL
    assert not any(counts(target).values())
    if target.startswith("sqlite"):
        with sqlite3.connect(make_url(target).database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _wait_until_rows_are_being_written(url: str, importer: subprocess.Popen[bytes]) -> None:
    """Return once uncommitted audit rows reach storage; fail if the import ends first."""
    engine = create_engine(url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            assert importer.poll() is None, importer.stderr.read() if importer.stderr else ""
            if _uncommitted_bytes(engine, url) > 1_000_000:
                return
            time.sleep(0.05)
        pytest.fail("the import wrote nothing within a minute")
    finally:
        engine.dispose()


def _uncommitted_bytes(engine: Any, url: str) -> int:
    """Bytes written to storage by the import: SQLite's write-ahead log, PostgreSQL's heap."""
    if url.startswith("sqlite"):
        wal = Path(f"{make_url(url).database}-wal")
        return wal.stat().st_size if wal.exists() else 0
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_relation_size('audit_events')")).scalar_one()


# --- export ----------------------------------------------------------------------------------


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    previous = tmp_path / "out.json"
    previous.write_text("the previous export")
    result = run(f"sqlite:///{broken}", "data", "export", str(previous))
    assert result.exit_code != 0
    assert "cannot read the database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert previous.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.db", "out.json"]


def test_export_to_a_folder_that_does_not_exist_says_so(organisation: Path, tmp_path: Path):
    result = run(
        f"sqlite:///{tmp_path / 'x.db'}", "data", "export", str(tmp_path / "no" / "out.json")
    )
    assert result.exit_code != 0
    assert "cannot write" in result.stderr


def test_an_export_reads_one_moment_while_others_write(target: str) -> None:
    engine, other = create_engine(target), create_engine(target)
    with snapshot(engine) as conn:
        before = conn.execute(db.select(func.count()).select_from(Team.__table__)).scalar_one()
        with other.begin() as writer:
            writer.execute(
                db.insert(Team.__table__).values(name="Late", created_at=datetime.now(UTC))
            )
        during = conn.execute(db.select(func.count()).select_from(Team.__table__)).scalar_one()
    assert (before, during) == (0, 0)
    assert counts(target)["teams"] == 1
    engine.dispose()
    other.dispose()


def test_export_and_import_are_audited(
    organisation: Path, target: str, tmp_path: Path, caplog
) -> None:
    with caplog.at_level("INFO", logger="tracker.audit"):
        assert run(target, "data", "import", str(organisation)).exit_code == 0
    total = sum(len(t["rows"]) for t in tables_of(organisation).values())
    [line] = [r.getMessage() for r in caplog.records if "action=data.imported" in r.getMessage()]
    assert "target=organisation.json" in line and f"detail=rows={total}; " in line
    assert "evidence=" in line
    # The import's event is in the log only: a row would make the database differ from the file.
    file_events = len(tables_of(organisation)["audit_events"]["rows"])
    assert counts(target)["audit_events"] == file_events
    exported = tmp_path / "audited.json"
    assert run(target, "data", "export", str(exported)).exit_code == 0
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=target)
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert (event.action, event.target) == ("data.exported", "audited.json")
        db.engine.dispose()
