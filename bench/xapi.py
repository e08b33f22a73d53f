"""`make bench`, xAPI intake: batches of 1,000 statements, against validation alone.

A temporary SQLite database holds the shipped catalogue and the demo people; an L&D token
posts batches of completions and scored attempts for known people and modules, so every
statement becomes evidence. The baseline, measured in the same run, is validating the same
statements without storing them.
"""

from __future__ import annotations

import base64
import statistics
import tempfile
import time
import uuid
from typing import Any

from config import TestingConfig
from tracker import create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.extensions import db
from tracker.models import AssessmentKind, Module, Outcome, Role, User, XapiStatement
from tracker.operations.tokens import issue_token
from tracker.xapi_statements import parse

BATCH = 1000
ROUNDS = 5
VERBS = "http://adlnet.gov/expapi/verbs/"


def batch(people: list[str], modules: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """1,000 statements: completions, and passed or failed quizzes with a scaled score."""
    out = []
    for n in range(BATCH):
        url, quiz = modules[n % len(modules)]
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "mbox": f"mailto:{people[n % len(people)]}"},
            "verb": {"id": VERBS + ("passed" if quiz else "completed")},
            "object": {"objectType": "Activity", "id": url},
            "timestamp": "2026-11-02T09:30:00+01:00",
        }
        if quiz:
            statement["result"] = {"score": {"scaled": (n % 100) / 100}, "duration": "PT45M"}
        out.append(statement)
    return out


def xapi_rows() -> list[tuple[str, float, float]]:
    """(what, median seconds per batch, statements per second) for validation and intake."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/xapi.db")
        with app.app_context():
            db.create_all()
            seed_people(200, seed=1)
            load_default_catalogue()
            db.session.commit()
            people = list(
                db.session.scalars(
                    db.select(User.email).where(User.role_links.any(role=Role.ENGINEER))
                )
            )
            rows = db.session.execute(
                db.select(Module.url, Module.assessment_kind, Module.requires_verification)
            ).all()
            shared = {url for url, *_ in rows if sum(1 for other, *_ in rows if other == url) > 1}
            modules = [  # links that name one module, recorded without verification
                (url, kind is AssessmentKind.QUIZ)
                for url, kind, verify in rows
                if url not in shared and kind in (None, AssessmentKind.QUIZ) and not verify
            ]
            ld = db.session.scalar(db.select(User).where(User.email == "ld@example.com"))
            _, secret = issue_token(ld, "bench")
            db.session.commit()
            headers = {
                "Authorization": "Basic " + base64.b64encode(f"bench:{secret}".encode()).decode(),
                "X-Experience-API-Version": "1.0.3",
            }
            client = app.test_client()
            parse(batch(people, modules)[0])  # load the statement model once
            validate, intake = [], []
            for _ in range(ROUNDS):
                statements = batch(people, modules)
                start = time.perf_counter()
                for statement in statements:
                    parse(statement)
                validate.append(time.perf_counter() - start)
                start = time.perf_counter()
                answer = client.post("/xapi/statements", json=statements, headers=headers)
                intake.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.get_data(as_text=True)
            recorded = db.session.scalar(
                db.select(db.func.count())
                .select_from(XapiStatement)
                .where(XapiStatement.outcome == Outcome.RECORDED)
            )
            assert recorded == ROUNDS * BATCH, f"only {recorded} statements became evidence"
            db.engine.dispose()
    rows = []
    for name, samples in (("validate only (baseline)", validate), ("POST, store, record", intake)):
        median = statistics.median(samples)
        rows.append((name, median, BATCH / median))
    return rows


if __name__ == "__main__":
    for name, seconds, rate in xapi_rows():
        print(f"{name}: {seconds:.3f} s per {BATCH}, {rate:,.0f} statements/s")
