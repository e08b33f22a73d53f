"""The app served by real gunicorn workers on a free loopback port, for load and fault tests.

    with gunicorn_server(database_url, workers=4) as server:
        status, body = server.request("GET", "/healthz")
    print(server.log())  # everything the master and its workers wrote

The server runs in production mode (rate limits on, as deployed) against `database_url`, with
its own instance folder; it is always stopped on the way out, and its output is kept in a file
(never a pipe, which a chatty server could fill and block on).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_SECONDS = 60.0
STOP_SECONDS = 15.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running gunicorn: its port, its process, and the file holding its output."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    final_log: str | None = None  # kept once stopped: the log file goes with its folder

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:41234."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Return everything the server has written so far (stdout and stderr)."""
        if self.final_log is not None:
            return self.final_log
        return self.log_path.read_text(errors="replace")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, str]:
        """Send one request on a new connection; return (status, body text). JSON bodies encoded."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = dict(headers or {})
        if body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
            sent.setdefault("Content-Type", "application/json")
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()


def server_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """Return the environment a production-mode server needs, with `extra` on top."""
    return os.environ | {
        "TRACKER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-and-fault-tests-only-" + "x" * 32,
        "TRACKER_INSTANCE_PATH": str(instance),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@contextmanager
def gunicorn_server(
    database_url: str,
    workers: int = 4,
    env: Mapping[str, str] | None = None,
    args: tuple[str, ...] = (),
    preload: bool = True,
) -> Iterator[Server]:
    """Serve wsgi:app with `workers` sync workers until the block ends; then stop it for sure.

    `preload` imports the app once in the master before forking: on two cores four workers
    start in about 2 s instead of 10. The master opens no database connection, so each worker
    still has its own. `env` adds to (or overrides) the server's environment, `args` to
    gunicorn's command line.

    Waits until /healthz answers 200 (or the server exits, or START_SECONDS pass: RuntimeError
    with the server's output). On the way out the master gets SIGTERM, then SIGKILL (with its
    whole process group) if it has not stopped within STOP_SECONDS.
    """
    with tempfile.TemporaryDirectory(prefix="tracker-server-") as folder:
        log_path = Path(folder) / "server.log"
        port = free_port()
        command = [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        # No control socket: its default path is shared by every gunicorn of the same user.
        # A short graceful timeout: a worker's interpreter takes seconds to tear down on a
        # busy machine, long after its last request was answered.
        command += ["--error-logfile", "-", "--timeout", "120", "--graceful-timeout", "3"]
        command += ["--no-control-socket"]
        command += [*(["--preload"] if preload else []), *args, "wsgi:app"]
        environment = server_environment(database_url, Path(folder), **dict(env or {}))
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so every worker can be killed
            )
        server = Server(port, process, log_path)
        try:
            _wait_until_healthy(server)
            yield server
        finally:
            stop(server)


def stop(server: Server) -> None:
    """Stop the master gracefully, then kill its process group if it lingers."""
    if server.process.poll() is None:
        server.process.terminate()
        with suppress(subprocess.TimeoutExpired):
            server.process.wait(timeout=STOP_SECONDS)
    with suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)  # workers the master left behind, if any
    server.process.wait(timeout=STOP_SECONDS)
    server.final_log = server.log_path.read_text(errors="replace")


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()}")
        try:
            if server.request("GET", "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn gave no healthy answer in {START_SECONDS:.0f} s:\n{server.log()}")
