"""Web and worker processes started as `motcua serve` starts them, on the databases we name.

Each web process is its own gunicorn (one sync worker), as on two servers; each worker is
`motcua db_worker`. They share one var folder (the embedded stand-in for shared storage) and
one audit key, as servers of one installation must (docs/decisions/0009).
"""

from __future__ import annotations

import http.cookiejar
import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motcua.web.management.commands.serve import GUNICORN_CONFIG
from tests.e2e.conftest import free_port, server_env, wait_ready


def database_url_named(url: str, name: str) -> str:
    """``url`` with its database name replaced (the test database on the primary or replica)."""
    base, _slash, _old = url.rpartition("/")
    return f"{base}/{name}"


def processes_env(var: Path, *, primary: str, replicas: list[str], **extra: str) -> dict[str, str]:
    """The environment of every web and worker process: embedded mode on a shared ``var``, the
    primary and its replicas, one audit key. ``extra`` adds more (object storage, SMS…)."""
    env = server_env(var)
    env.update(
        MOTCUA_DATABASE_URL=primary,
        MOTCUA_DATABASE_REPLICA_URLS=",".join(replicas),
        MOTCUA_AUDIT_KEY=secrets.token_hex(32),
        MOTCUA_DB_CONN_MAX_AGE="60",
        **extra,
    )
    return env


def web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """One gunicorn with one sync worker process, as `motcua serve` runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "motcua.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
         # Slow requests are not stuck ones while the rest of the suite loads the 2 cores.
         "--timeout", "120"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def worker(env: dict[str, str], worker_id: str, logs: Path) -> subprocess.Popen[bytes]:
    """One task worker (django-tasks' database worker), polling every 0.2 s."""
    return subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2", "--worker-id", worker_id, "--queue-name", "*"],
        env=env, stdout=(logs / f"{worker_id}.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


@contextmanager
def started(env: dict[str, str], *, webs: int, workers: int, logs: Path) -> Iterator[list[str]]:
    """``webs`` gunicorn servers and ``workers`` task workers, all started at once; the servers'
    URLs once each answers /readyz. All are stopped afterwards."""
    logs.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(webs)]
    web_processes = [web(env, port, logs / f"web{n}.log") for n, port in enumerate(ports, 1)]
    worker_processes = [worker(env, f"worker{n}", logs) for n in range(1, workers + 1)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, web_processes, strict=True):
            wait_ready(url, process, seconds=60)
        yield urls
    finally:
        for process in [*web_processes, *worker_processes]:
            process.terminate()
        for process in [*web_processes, *worker_processes]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def error_answer(error: urllib.error.HTTPError, cut: int = 500) -> tuple[int, Any]:
    """An HTTP error's status and body: its JSON, or the start of its text."""
    text = error.read()
    try:
        return error.code, json.loads(text or b"null")
    except ValueError:
        return error.code, text.decode(errors="replace")[:cut]


@dataclass
class ApiClient:
    """One API caller: a bearer token and, like any HTTP client that keeps cookies, a cookie jar
    shared by every server it calls (cookies do not depend on the port)."""

    token: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def call(self, method: str, url: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error_answer(error)

    def fresh(self) -> ApiClient:
        """The same token from a client that keeps no cookie of this one's."""
        return ApiClient(self.token)


def pinned(client: ApiClient) -> bool:
    return any(cookie.name == "motcua_rw" for cookie in client.jar)
