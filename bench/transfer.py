"""`make bench`, data transfer: `flask data export` and `import`, their seconds and peak memory.

For each size (1,000 and 10,000 engineers; BENCH_TRANSFER_SIZES="1000,100000" for others),
seeded as the scale bench does, with about 50 pieces of evidence per engineer: export from
SQLite, import into a fresh SQLite database and, when TEST_DATABASE_URL names a PostgreSQL
server, import into a throwaway PostgreSQL database and export from it. The first row, `flask
data --help`, is the command line's own start-up: the app and its imports, no records.

Each step is its own `flask` process, so its peak resident memory is its own: a small launcher
process runs it and reads the child's high-water mark from `getrusage(RUSAGE_CHILDREN)`. (The
bench's own process cannot: a child's high-water mark starts at its parent's, and the bench
holds a seeded organisation.) The seconds are the launcher's wall clock around the child, so
they include the interpreter's and the app's start-up. Export and import stream, so the
megabytes should stay about flat while the document grows with the organisation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from config import TestingConfig
from tests.postgres import throwaway_database
from tracker import create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.demo_history import generate_history
from tracker.extensions import db

DEFAULT_SIZES = (1_000, 10_000)
EVIDENCE = 50  # about this many pieces of evidence per engineer, as in the scale bench
ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
START_UP = "`flask data --help` (start-up)"
# Runs argv[1:] as its only child; prints the seconds, the child's peak RSS, its exit code
# and output as JSON. Kept tiny so that its own high-water mark stays below the child's.
LAUNCHER = """\
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
output = done.stdout + done.stderr
print(json.dumps({"seconds": seconds, "peak": peak, "code": done.returncode, "output": output}))
"""


@dataclass
class Step:
    """One `flask` command: wall-clock seconds and peak resident memory in MB."""

    name: str
    seconds: float
    mb: float


@dataclass
class Transfer:
    """The steps measured for one organisation size, and the document they moved."""

    engineers: int
    evidence: int = 0
    document_mb: float = 0.0
    steps: list[Step] = field(default_factory=list)


def sizes() -> list[int]:
    """Return the sizes to measure, from BENCH_TRANSFER_SIZES (e.g. "1000,10000")."""
    raw = os.environ.get("BENCH_TRANSFER_SIZES", "")
    return [int(s) for s in raw.split(",") if s.strip()] or list(DEFAULT_SIZES)


def transfer_rows() -> list[Transfer]:
    """Measure export and import at each size, one organisation at a time."""
    return [measure(engineers) for engineers in sizes()]


def measure(engineers: int) -> Transfer:
    """Seed `engineers` into SQLite, then time and weigh each step in its own process."""
    result = Transfer(engineers)
    with tempfile.TemporaryDirectory() as folder:
        source, document = _migrated(f"sqlite:///{folder}/source.db"), Path(folder, "org.json")
        result.evidence = _seed(source, engineers)
        result.steps.append(_run(START_UP, source, "--help"))
        result.steps.append(_run("export from SQLite", source, "export", document))
        result.document_mb = document.stat().st_size / 1e6
        target = _migrated(f"sqlite:///{folder}/target.db")
        result.steps.append(_run("import into SQLite", target, "import", document))
        if os.environ.get("TEST_DATABASE_URL"):
            with throwaway_database(f"tracker_bench_{uuid.uuid4().hex[:8]}") as url:
                _migrated(url)
                result.steps.append(_run("import into PostgreSQL", url, "import", document))
                again = Path(folder, "again.json")
                result.steps.append(_run("export from PostgreSQL", url, "export", again))
    return result


def _seed(url: str, engineers: int) -> int:
    """Seed the organisation as the scale bench does; return its pieces of evidence."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seed_people(engineers, seed=1)
        load_default_catalogue()
        history = generate_history(1, date.today(), evidence=EVIDENCE)
        db.session.commit()
        db.engine.dispose()
    return history["evidence"]


def _run(name: str, url: str, *args: str | Path) -> Step:
    """Run `flask data ARGS` against `url` in a process of its own; return its Step."""
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_ENV": "testing", "FLASK_APP": "wsgi"}
    command = [sys.executable, "-c", LAUNCHER, FLASK, "data", *map(str, args)]
    done = subprocess.run(  # noqa: S603 (our own interpreter and flask, fixed arguments)
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report["code"] == 0, f"flask data {' '.join(map(str, args))}: {report['output']}"
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak = report["peak"] * (1 if sys.platform == "darwin" else 1024)
    return Step(name, report["seconds"], peak / 2**20)


def _migrated(url: str) -> str:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def transfer_table(results: list[Transfer]) -> list[str]:
    """Return the Markdown lines: one row per step, seconds and peak MB per size."""
    about = "; ".join(
        f"{r.engineers:,} engineers with {r.evidence:,} pieces of evidence, "
        f"a {r.document_mb:.1f} MB document"
        for r in results
    )
    lines = [
        f"`flask data export|import`, each step its own process (seconds include start-up; "
        f"MB is the process's peak resident memory): {about}.",
        "",
        "| data transfer | "
        + " | ".join(f"s, {r.engineers:,} engineers | peak MB, {r.engineers:,}" for r in results)
        + " |",
        "|---|" + "---:|---:|" * len(results),
    ]
    names = list(dict.fromkeys(step.name for r in results for step in r.steps))
    for name in names:
        cells = []
        for r in results:
            step = next((s for s in r.steps if s.name == name), None)
            cells += [f"{step.seconds:.1f}", f"{step.mb:.0f}"] if step else ["–", "–"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    print("\n".join(transfer_table(transfer_rows())))
