"""Browser journeys against a real server: gunicorn on a fresh SQLite database, real Chromium.

The server is prepared as `make run` prepares it (migrations, units, catalog, demo accounts), in
a temporary folder, once per test session, with the settings of server_settings.py. Debian's Chromium is driven by
Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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
        [sys.executable, "-m", "gunicorn", "motcua.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
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


@pytest.fixture(scope="session")
def live_app(live_var: Path) -> Iterator[str]:
    PREPARED["var"] = live_var
    env = server_env(live_var)
    subprocess.run(
        [sys.executable, "-m", "motcua.cli", "serve", "--prepare-only"], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with served(env) as url:
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


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def clean_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
