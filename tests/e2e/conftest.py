"""Browser journeys against a real server: gunicorn on a fresh SQLite database, real Chromium.

The server is prepared as `make run` prepares it (migrations, units, catalog, demo accounts), in
a temporary folder, once per test session, with the settings of server_settings.py. Debian's Chromium is driven by
Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from motcua.web.management.commands.serve import GUNICORN_CONFIG
from tests.reference_template import xdist_session_folder

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
# The prepared var folder of ``live_app``, for journeys that start a second server on the same data.
PREPARED: dict[str, Path] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MOTCUA_DATABASE_URL"):
        reason = "browser journeys run once, in the SQLite pass"
    elif not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)"
        print(f"\n!!! E2E SKIPPED: {reason}", file=sys.stderr)
    else:
        return
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


# The servers' settings module (this folder's server_settings.py), importable from the root.
REPOSITORY = Path(__file__).resolve().parents[2]
SERVER_SETTINGS = "tests.e2e.server_settings"


def server_python_path() -> str:
    """The server imports the source tree these tests import (a worktree's ``src`` rather than
    the one the virtualenv was installed from), whatever the working directory, and the tests'
    package for its settings."""
    import motcua

    source = str(Path(motcua.__file__).resolve().parents[1])
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return os.pathsep.join([source, str(REPOSITORY), *(str(Path(p).resolve()) for p in rest)])


@pytest.fixture(scope="session")
def live_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's var folder: its SQLite file, uploads, and the SMS it "sends"."""
    return tmp_path_factory.mktemp("e2e-var")


def server_env(var: Path, **extra: str) -> dict[str, str]:
    """The live server's environment: embedded mode on ``var``, this source tree, no test DB,
    the application's settings less the costs no journey checks (server_settings.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = SERVER_SETTINGS
    # Most servers here run without `motcua worker` (its heartbeat) and leave tasks queued:
    # ready all the same, unless a test asks for these checks (decision 0037).
    env.update(MOTCUA_READY_WORKER_STALE_SECONDS="0", MOTCUA_READY_QUEUE_LAG_SECONDS="0")
    env.update(MOTCUA_VAR_DIR=str(var), MOTCUA_MODE="embedded", MOTCUA_DEBUG="false", **extra)
    env["PYTHONPATH"] = server_python_path()
    env.pop("MOTCUA_DATABASE_URL", None)
    return env


@contextmanager
def served(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """gunicorn on a free port with ``env``; its URL once /readyz answers, stopped afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "motcua.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still busy on a loaded machine
            server.kill()
            server.wait()


def copy_prepared(source: Path, target: Path) -> None:
    """A prepared var folder, its SQLite database copied through SQLite's backup (consistent
    even while a server has it open)."""
    shutil.copytree(
        source, target, dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("motcua.sqlite3*", "sms", "mail"),
    )  # fmt: skip
    with (
        sqlite3.connect(source / "motcua.sqlite3") as origin,
        sqlite3.connect(target / "motcua.sqlite3") as copy,
    ):
        origin.backup(copy)


def prepare_var(var: Path, shared: Path | None) -> None:
    """``var`` as `serve --prepare-only` leaves it (migrated, units, catalog, search index, demo
    accounts): about 40 s of one process, so it is done once per test session. Under xdist
    ``shared`` is the folder every worker sees: the first process that needs a prepared var
    builds it and publishes a copy there (under a lock), the others copy it in a second."""
    if shared is None:
        serve_prepare(var)
        return
    published, partial = shared / "prepared-var", shared / "prepared-var.partial"
    with (shared / "prepared-var.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not published.exists():  # a whole copy or none: it is renamed into place
            serve_prepare(var)
            copy_prepared(var, partial)
            partial.rename(published)
            return
    copy_prepared(published, var)


def serve_prepare(var: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "motcua.cli", "serve", "--prepare-only"], env=server_env(var),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(scope="session")
def live_app(live_var: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    PREPARED["var"] = live_var
    prepare_var(live_var, xdist_session_folder(tmp_path_factory.getbasetemp()))
    with served(server_env(live_var)) as url:
        yield url


# Per module, not per session: Playwright's sync API runs an event loop in this thread while it is
# open, and Django then refuses database calls from the tests that run after it on the same worker.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


def screenshot_if_failed(page: Any, request: pytest.FixtureRequest) -> None:
    """The last page of a failed test, for the one reading CI's artifacts (the journeys take
    their own screenshots of each step); a full-page screenshot of every passing test cost
    about 15 s of each run."""
    if request.node.stash.get(CALL_FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    screenshot_if_failed(page, request)
    context.close()


@pytest.fixture
def phone(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    screenshot_if_failed(page, request)
    context.close()


def clean_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
