"""Hostile files through every way one arrives: refused at once, by name, with nothing stored.

A "billion laughs" YAML, a file nested 5,000 deep, a Python tag, an oversized file: each goes
through the page, the API and the command that take it. Each answer names the problem; the
work is bounded (the refusal comes at the first offending line, and the memory the request
allocates is measured), and nothing reaches the database.
"""

from __future__ import annotations

import io
import json
import re
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from markupsafe import escape

from tests.test_xapi import basic, statement, stored_count
from tracker.catalogue.document import DocumentError, parse
from tracker.extensions import db
from tracker.limits import (
    CATALOGUE_MAX_BYTES,
    JSON_MAX_CONTAINERS,
    MAX_DEPTH,
    ROSTER_MAX_BYTES,
    json_depth,
    json_shape,
)
from tracker.models import AuditEvent, Competency, Module, Role, Team, User
from tracker.operations.tokens import create_integration, issue_token

MEMORY_CAP = 16 * 1024 * 1024  # far above what a refusal needs, far below any expansion

# 9 levels of 9 aliases each: 9^9 (387 million) "lol"s once expanded, in under 600 bytes.
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]\n"
    for old, new in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "[" * 5000 + "]" * 5000  # 10 KB; the same text is YAML and JSON
DEEP_MAPS = '{"a": ' * 2500 + "1" + "}" * 2500
PYTHON_TAG = "version: 1\ncompetencies: !!python/object/apply:os.system ['echo owned']\n"
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"

HOSTILE_CATALOGUES = {
    "billion laughs": (LAUGHS, "c.yaml", "line 1: YAML anchors (&a) are not accepted"),
    "deep YAML": (DEEP, "c.yaml", f"line 1: the file is {TOO_DEEP}"),
    "deep YAML mappings": (DEEP_MAPS, "c.yaml", f"line 1: the file is {TOO_DEEP}"),
    "deep JSON": (DEEP, "c.json", f"line 1: the file is {TOO_DEEP}"),
    "deep JSON objects": (DEEP_MAPS, "c.json", f"line 1: the file is {TOO_DEEP}"),
    "Python tag": (
        PYTHON_TAG,
        "c.yaml",
        "line 2: the YAML tag !!python/object/apply:os.system is not accepted",
    ),
    "oversized": (
        "version: 1\n" + "#" * CATALOGUE_MAX_BYTES,
        "c.yaml",
        "is larger than 2 MB (the limit)",
    ),
}


@contextmanager
def bounded_memory(cap: int = MEMORY_CAP) -> Iterator[None]:
    """Fail unless the Python memory allocated inside stays under `cap` at its peak."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < cap, f"allocated {peak:,} bytes at the peak"


def catalogue_rows() -> int:
    return sum(
        db.session.scalar(db.select(db.func.count()).select_from(model)) or 0
        for model in (Competency, Module)
    )


def imports_audited() -> int:
    imported = AuditEvent.action.in_(["catalog.imported", "roster.imported"])
    return db.session.scalar(db.select(db.func.count()).where(imported)) or 0


@pytest.fixture
def ld(make_user) -> User:
    return make_user(email="ld@corp.test", roles=[Role.LD, Role.ADMIN])


@pytest.fixture
def bearer(ld) -> dict[str, str]:
    _, secret = issue_token(ld, "hostile")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# --- The parsers themselves ------------------------------------------------------------------


@pytest.mark.parametrize("case", list(HOSTILE_CATALOGUES)[:-1])
def test_the_parser_refuses_each_hostile_catalogue_at_its_first_offending_line(case):
    text, filename, message = HOSTILE_CATALOGUES[case]
    with bounded_memory(2 * 1024 * 1024), pytest.raises(DocumentError) as refused:
        parse(text, filename)
    assert message in str(refused.value)


def test_the_yaml_parser_builds_nothing_from_an_alias():
    with pytest.raises(DocumentError, match=r"line 2: YAML aliases \(\*a\) are not accepted"):
        parse("a: [lol]\nb: *a\n", "c.yaml")


def test_nesting_up_to_the_limit_is_accepted_and_beyond_it_refused():
    within = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    beyond = "[" + within + "]"
    for filename in ("c.yaml", "c.json"):
        assert parse(within, filename).data is not None
        with pytest.raises(DocumentError, match=TOO_DEEP):
            parse(beyond, filename)


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth('{"a": "[[[{{{", "b": ["\\"]]]"]}') == 2
    assert json_depth('"unterminated [[[') == 0
    assert json_depth(DEEP) == 5000
    assert json_shape('[{"a": []}, {"b": "{}"}, 1]') == (3, 4)


def test_a_json_file_with_more_arrays_and_objects_than_the_limit_is_refused():
    many = "[" + ",".join(["{}"] * JSON_MAX_CONTAINERS) + "]"
    with bounded_memory(), pytest.raises(DocumentError, match="more than 200,000 arrays"):
        parse(many, "c.json")


def test_a_yaml_file_with_more_values_than_the_limit_is_refused():
    with pytest.raises(DocumentError, match="more than 100,000 values"):
        parse("- 1\n" * 100_001, "c.yaml")


# --- The catalogue: page, API, command -------------------------------------------------------


@pytest.mark.parametrize("case", list(HOSTILE_CATALOGUES))
def test_the_upload_page_refuses_each_hostile_catalogue_by_name(client, login_as, ld, case):
    text, filename, message = HOSTILE_CATALOGUES[case]
    login_as(ld)
    body = text.encode()
    with bounded_memory():
        answer = client.post(
            "/catalogue/",
            data={"file": (io.BytesIO(body), filename), "dry_run": ""},
            content_type="multipart/form-data",
        )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Nothing was imported" in page and escape(message) in page
    assert catalogue_rows() == 0 and imports_audited() == 0


@pytest.mark.parametrize("case", list(HOSTILE_CATALOGUES))
def test_the_import_command_refuses_each_hostile_catalogue_in_one_line(runner, tmp_path, case):
    text, filename, message = HOSTILE_CATALOGUES[case]
    path = tmp_path / filename
    path.write_text(text)
    with bounded_memory():
        result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert catalogue_rows() == 0 and imports_audited() == 0


@pytest.mark.parametrize("body", [DEEP, DEEP_MAPS], ids=["arrays", "objects"])
def test_the_catalogue_api_refuses_deep_json_before_parsing_it(client, bearer, body):
    with bounded_memory():
        answer = client.put(
            "/api/v1/catalog", data=body, content_type="application/json", headers=bearer
        )
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad_request"
    assert answer.json["error"]["message"] == f"The body is {TOO_DEEP} (the limit)."
    assert catalogue_rows() == 0 and imports_audited() == 0


def test_the_catalogue_api_refuses_an_oversized_file_unread(client, bearer):
    body = json.dumps({"version": 1, "pad": "x" * CATALOGUE_MAX_BYTES}).encode()
    answer = client.put(
        "/api/v1/catalog", data=body, content_type="application/json", headers=bearer
    )
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"
    assert "larger than 2 MB (the limit)" in answer.json["error"]["message"]
    assert catalogue_rows() == 0 and imports_audited() == 0


# --- Every JSON route of the API and the xAPI intake -----------------------------------------


def test_any_body_over_max_content_length_is_refused_unread(app, client, bearer):
    body = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    answer = client.post(
        "/api/v1/completions", data=body, content_type="application/json", headers=bearer
    )
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"


def _json_routes(app) -> Iterator[tuple[str, str]]:
    """Yield (method, path) for every route under /api/ or /xapi/ that takes a body."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/xapi/")):
            continue
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"}):
            yield method, path


def test_every_json_route_refuses_deep_json_by_name_never_with_a_server_error(
    app, client, bearer, ld
):
    _, platform = create_integration("Course platform", ["xapi"], ld)
    db.session.commit()
    refused = set()
    for method, path in _json_routes(app):
        headers = basic(platform) if path.startswith("/xapi/") else bearer
        answer = client.open(
            path,
            method=method,
            data=DEEP,
            content_type="application/json",
            headers=headers,
            query_string={"statementId": str(uuid.uuid4())} if path.startswith("/xapi/") else {},
        )
        # A route may refuse the caller before it reads the body; one that reads it names why.
        assert answer.status_code in (400, 403, 404), (method, path, answer.status_code)
        if answer.status_code == 400:
            assert TOO_DEEP in answer.json["error"]["message"], (method, path)
            refused.add((method, path))
    assert {
        ("PUT", "/api/v1/catalog"),
        ("POST", "/api/v1/completions"),
        ("POST", "/api/v1/assessment-attempts"),
        ("POST", "/api/v1/enrolments"),
        ("POST", "/api/v1/evidence/1/verification"),
        ("POST", "/xapi/statements"),
        ("PUT", "/xapi/statements"),
    } <= refused


@pytest.fixture
def platform(app, ld) -> str:
    from tests.catalogue_fixtures import SMALL
    from tracker.catalogue.service import import_text

    import_text(SMALL, "catalogue.yaml")
    _, secret = create_integration("Course platform", ["xapi"], ld)
    db.session.commit()
    return secret


def _nested(levels: int) -> Any:
    value: Any = "deep"
    for _ in range(levels):
        value = {"x": value}
    return value


def test_an_xapi_batch_with_one_deeply_nested_statement_stores_none(client, platform):
    fine = statement()
    deep = statement(context={"extensions": {"https://x.example/e": _nested(500)}})
    with bounded_memory():
        answer = client.post(
            "/xapi/statements",
            data=json.dumps([fine, deep]),
            content_type="application/json",
            headers=basic(platform),
        )
    assert answer.status_code == 400
    assert answer.json["error"]["message"] == f"The body is {TOO_DEEP} (the limit)."
    assert stored_count() == 0


def test_an_xapi_body_of_too_many_small_objects_is_refused_before_parsing(client, platform):
    body = ("[" + ",".join(["{}"] * (JSON_MAX_CONTAINERS + 1)) + "]").encode()
    with bounded_memory(8 * len(body)):  # parsed, it would take some 60 bytes per object
        answer = client.post(
            "/xapi/statements", data=body, content_type="application/json", headers=basic(platform)
        )
    assert answer.status_code == 400
    assert answer.json["error"]["message"] == (
        "The body has more than 200,000 arrays and objects (the limit)."
    )
    assert stored_count() == 0


def test_an_xapi_statement_nested_within_the_limit_is_stored(client, platform):
    within = statement(context={"extensions": {"https://x.example/e": _nested(MAX_DEPTH - 5)}})
    answer = client.post("/xapi/statements", json=within, headers=basic(platform))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert stored_count() == 1


def test_an_xapi_body_over_its_limit_is_refused_unread(client, platform):
    body = b"[" + b" " * (8 * 1024 * 1024) + b"]"
    answer = client.post(
        "/xapi/statements", data=body, content_type="application/json", headers=basic(platform)
    )
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"
    assert stored_count() == 0


# --- The roster: page and command ------------------------------------------------------------

HEADER = "email,name,team,manager_email,roles\n"
HOSTILE_ROSTERS: dict[str, tuple[Callable[[], str], str]] = {
    "oversized": (
        lambda: HEADER + "a@corp.test,A,,,engineer\n" * (ROSTER_MAX_BYTES // 24 + 1),
        "is larger than 5 MB (the limit)",
    ),
    "a NUL character": (
        lambda: HEADER + "a@corp.example.com,A\x00B,,,engineer\n",
        "line 2: holds a NUL character, which no field may",
    ),
    "a field past the CSV limit": (
        lambda: HEADER + "a@corp.test," + "N" * 200_000 + ",,,engineer\n",
        "line 2: not readable as CSV (field larger than field limit",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_ROSTERS))
def test_the_roster_page_refuses_each_hostile_file_by_name(client, login_as, ld, case):
    make, message = HOSTILE_ROSTERS[case]
    login_as(ld)
    people = db.session.scalar(db.select(db.func.count()).select_from(User))
    answer = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(make().encode()), "r.csv"), "dry_run": ""},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert escape(message) in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == people
    assert imports_audited() == 0


@pytest.mark.parametrize("case", list(HOSTILE_ROSTERS))
def test_the_roster_command_refuses_each_hostile_file_in_one_line(runner, tmp_path, case):
    make, message = HOSTILE_ROSTERS[case]
    path = tmp_path / "r.csv"
    path.write_text(make())
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "nothing was imported" in result.output
    assert result.exception.__class__ is SystemExit
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


# --- Data import -----------------------------------------------------------------------------


def _data_document(header_value: str = '"tracker-data"', row_value: str = '"Payments"') -> str:
    return (
        f'{{"format": {header_value}, "format_version": 1, "schema_revision": null, "tables": '
        f'[{{"name": "teams", "columns": ["id", "name"], "rows": [[1, {row_value}]]}}]}}'
    )


@pytest.mark.parametrize(
    "document",
    [_data_document(header_value=DEEP), _data_document(row_value=DEEP)],
    ids=["in the header", "in a row"],
)
def test_data_import_refuses_deep_nesting_in_one_line(runner, tmp_path, document):
    path = tmp_path / "data.json"
    path.write_text(document)
    with bounded_memory():
        result = runner.invoke(args=["data", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: the file is {TOO_DEEP} (the limit); nothing was imported." in result.output
    assert result.exception.__class__ is SystemExit
    assert db.session.scalar(db.select(db.func.count()).select_from(Team)) == 0
