"""`motcua serve` restarts the one process that died, not the whole set (decision 0037)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from motcua.web.supervise import GaveUp, Supervisor
from tests.e2e.conftest import free_port, prepare_var, server_env
from tests.reference_template import xdist_session_folder

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
QUITTER = [sys.executable, "-c", "raise SystemExit(3)"]


def wait_for(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_killed_child_is_restarted_alone() -> None:
    lines: list[str] = []
    supervisor = Supervisor({"a": SLEEPER, "b": SLEEPER}, env=None, log=lines.append)
    supervisor.start()
    try:
        first = supervisor.pids()
        os.kill(first["a"], signal.SIGKILL)  # type: ignore[arg-type]

        def restarted() -> bool:
            supervisor.check()
            return supervisor.pids()["a"] not in {None, first["a"]}

        wait_for(restarted)
        assert supervisor.pids()["b"] == first["b"]
        assert any("a đã dừng (mã -9)" in line for line in lines)
    finally:
        supervisor.stop()


def test_a_child_that_keeps_dying_stops_everything() -> None:
    supervisor = Supervisor(
        {"broken": QUITTER, "fine": SLEEPER}, env=None, log=lambda line: None, max_restarts=2
    )
    supervisor.start()
    try:
        with pytest.raises(GaveUp, match="broken"):
            keep_checking(supervisor, seconds=20)
    finally:
        supervisor.stop()
    assert supervisor.children[1].process is not None
    assert supervisor.children[1].process.poll() is not None  # stopped with the rest


def keep_checking(supervisor: Supervisor, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.05)


class Output(threading.Thread):
    """The lines a process writes, collected as it writes them."""

    def __init__(self, stream: object) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []

    def run(self) -> None:
        for raw in self.stream:  # type: ignore[attr-defined]
            self.lines.append(raw.decode(errors="replace"))

    def pids(self, name: str) -> list[int]:
        found = (re.match(rf"^{name}: pid (\d+)", line) for line in list(self.lines))
        return [int(m.group(1)) for m in found if m]


def ready(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url + "/readyz", timeout=5) as response:
        return dict(json.loads(response.read()))


def test_serve_restarts_a_killed_worker_and_the_web_keeps_answering(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    # A var folder prepared once per test session (shared with the browser journeys): what is
    # tested here is the supervision, not the 40 s of a first preparation.
    prepare_var(tmp_path / "var", xdist_session_folder(tmp_path_factory.getbasetemp()))
    env = server_env(
        tmp_path / "var", MOTCUA_WORKER_HEARTBEAT_SECONDS="1",
        MOTCUA_READY_WORKER_STALE_SECONDS="30", MOTCUA_READY_QUEUE_LAG_SECONDS="600",
    )  # fmt: skip
    serve = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "serve", "--no-demo", "--port", str(port),
         "--web-workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    output = Output(serve.stderr)
    output.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: serve.poll() is None and output.pids("worker"), seconds=400)
        wait_for(lambda: ready_or_none(url), seconds=120)  # the worker's first heartbeat
        (old,) = output.pids("worker")
        outbound = output.pids("outbound")
        os.kill(old, signal.SIGKILL)
        wait_for(lambda: len(output.pids("worker")) == 2, seconds=30)
        assert output.pids("worker")[1] != old
        assert output.pids("outbound") == outbound  # the others were left alone
        assert serve.poll() is None
        wait_for(lambda: ready_or_none(url), seconds=60)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)


def ready_or_none(url: str) -> dict[str, object] | None:
    try:
        body = ready(url)
    except OSError:
        return None
    return body if body.get("status") == "ok" else None
