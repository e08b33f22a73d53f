"""`make bench`: median latency of key pages against /healthz measured in the same run.

Uses the Flask test client on a temporary SQLite database loaded with the demo organisation,
so the numbers compare routes with each other, not with a deployment.
"""

from __future__ import annotations

import contextvars
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.load import Result, load_results, load_table
from bench.scale import Scale, scale_rows, scale_table
from bench.transfer import Transfer, transfer_rows, transfer_table
from bench.xapi import BATCH, xapi_rows
from config import TestingConfig
from tracker import create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.demo_history import generate_history
from tracker.extensions import cache, db
from tracker.models import Team, User

REPEAT = 200
WARM_UP = 20
RESULTS = Path(__file__).parent / "results"
ACCOUNTS = ("admin@example.com", "ld@example.com", "manager@example.com", "engineer@example.com")


def fresh(call):  # type: ignore[no-untyped-def]
    """Wrap a request so it runs in its own app context, as in production (own `g`)."""
    return lambda: contextvars.Context().run(call)


def timed(call, repeat: int = REPEAT) -> list[float]:  # type: ignore[no-untyped-def]
    """Return `repeat` durations of `call()` in milliseconds, after a warm-up."""
    for _ in range(WARM_UP):
        call()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def page_rows(folder: str) -> list[tuple[str, list[float]]]:
    """Time /healthz and each demo account's home page."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.db")
    rows = []
    with app.app_context():
        db.create_all()
        seed_people(40, seed=1)
        db.session.commit()
        client = app.test_client()
        rows.append(("GET /healthz (baseline)", timed(fresh(lambda: client.get("/healthz")))))
        seed_catalogue_history()
        for email in ACCOUNTS:
            user = db.session.scalar(db.select(User).where(User.email == email))
            with client.session_transaction() as sess:
                sess["_user_id"] = user.get_id()
                sess["login_at"] = sess["seen_at"] = int(time.time())
            rows.append((f"GET / as {email}", timed(fresh(lambda: client.get("/")))))
        rows += team_rows(client)
        db.engine.dispose()
    return rows


def seed_catalogue_history() -> None:
    """Load the default catalogue and the demo history into the benchmark database."""
    from datetime import date

    load_default_catalogue()
    generate_history(1, date.today())
    db.session.commit()


def team_rows(client) -> list[tuple[str, list[float]]]:  # type: ignore[no-untyped-def]
    """Time the team dashboard and a chart, cached and uncached, as the manager."""
    manager = db.session.scalar(db.select(User).where(User.email == "manager@example.com"))
    with client.session_transaction() as sess:
        sess["_user_id"] = manager.get_id()
        sess["login_at"] = sess["seen_at"] = int(time.time())
    team = db.session.scalar(db.select(Team).where(Team.name == "Payments"))
    status = fresh(lambda: client.get(f"/team/{team.id}/").status_code)()
    assert status == 200, "the manager sees the team"
    base = f"/team/{team.id}"
    chart = f"{base}/charts/trend.png?role=ml-engineer"
    rows = [(f"GET {base}/ (dashboard)", timed(fresh(lambda: client.get(f"{base}/")), 50))]

    def uncached():  # type: ignore[no-untyped-def]
        cache.clear()
        client.get(chart)

    rows.append(("GET trend chart, uncached", timed(fresh(uncached), 30)))
    rows.append(("GET trend chart, cached", timed(fresh(lambda: client.get(chart)))))
    return rows


def table(
    rows: list[tuple[str, list[float]]],
    scale: list[Scale],
    transfer: list[Transfer],
    xapi: list[tuple[str, float, float]],
    load: list[Result],
) -> str:
    """Return the results as a Markdown table."""
    base = statistics.median(rows[0][1])
    lines = [
        f"# Benchmarks {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`make bench` on {os.cpu_count()} CPU cores.",
        "",
        *scale_table(scale),
        "",
        "## Pages of the demo organisation",
        "",
        f"Up to {REPEAT} requests per route after {WARM_UP} warm-up, Flask test client, "
        "SQLite, the demo organisation (40 engineers) with its history.",
        "",
        "| route | median ms | p95 ms | × baseline |",
        "|---|---:|---:|---:|",
    ]
    for name, samples in rows:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[18]
        lines.append(f"| {name} | {median:.2f} | {p95:.2f} | {median / base:.1f} |")
    lines += ["", "## Data transfer and xAPI", "", *transfer_table(transfer)]
    baseline = xapi[0][1]
    lines += ["", f"xAPI intake, batches of {BATCH:,} statements (median of the batches):", ""]
    lines += ["| xAPI | seconds per batch | statements/s | × baseline |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {s:.3f} | {r:,.0f} | {s / baseline:.1f} |" for n, s, r in xapi]
    lines += ["", *load_table(load)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every benchmark, print the table and write it to bench/results/."""
    with tempfile.TemporaryDirectory() as folder:
        rows = page_rows(folder)
    text = table(rows, scale_rows(), transfer_rows(), xapi_rows(), load_results())
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)


if __name__ == "__main__":
    main()
