"""Chaos under load (issue 18): submissions through the API while the web server and the workers
are killed with SIGKILL at random moments and restarted.

The processes are those `motcua serve` supervises (gunicorn, the dossier worker, the outbound
worker, the scheduler), each in a session of its own so that a kill takes the whole process group
at once (a gunicorn master and its workers, as when a container dies). The scheduler is not
killed: it is what sweeps up after the others. The SMS provider and the national portal are the
HTTP sandboxes of integrations/; e-mail goes to files.

Callers send each submission with its own ``Idempotency-Key`` and, like any careful client, send
it again with the same key after a connection error, a timeout or a 5xx, until a definitive
answer (2xx or 4xx). Some are invalid on purpose (an unknown procedure: 422); some accepted ones
are sent once more afterwards (the same dossier must come back, 200).

Used by tests/test_chaos.py (small, in ``make test``'s PostgreSQL pass) and bench/chaos.py (full
size); the checks afterwards are in tests/chaos_checks.py.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

from motcua.web.management.commands.serve import GUNICORN_CONFIG
from tests.deployment.processes import error_answer
from tests.e2e.conftest import free_port

WARD = "hn-phuong-hoan-kiem"
PROCEDURE = "1.004222"
UNKNOWN_PROCEDURE = "9.999999"
KILLED = ("web", "worker", "outbound")

# Leases and sweeps short enough that a run drains in seconds rather than minutes (production
# keeps minutes: settings.py). The lease is still longer than any call the processes make here.
FAST_RECOVERY = {
    "MOTCUA_TASK_LEASE_SECONDS": "3",
    "MOTCUA_WORKER_HEARTBEAT_SECONDS": "0.5",
    "MOTCUA_NOTIFY_LEASE_SECONDS": "4",
    "MOTCUA_NOTIFY_SWEEP_GRACE_SECONDS": "2",
    "MOTCUA_SMS_TIMEOUT": "2",
    "MOTCUA_DVCQG_TIMEOUT": "1",
    "MOTCUA_DVCQG_LEASE_SECONDS": "3",
    "MOTCUA_DVCQG_BACKOFF_SECONDS": "0.5",
    "MOTCUA_DVCQG_BACKOFF_MAX_SECONDS": "2",
    "MOTCUA_DVCQG_MAX_ATTEMPTS": "1000",
    "MOTCUA_READY_MIN_FREE_MB": "0",
    # One caller from one address sends thousands: the API's flood limit is not what is tested.
    "MOTCUA_RATE_API": "0/1",
}


@dataclass(frozen=True)
class Plan:
    """What one run does: ``size`` submissions from ``callers`` threads while each of web, the
    worker and the outbound worker is killed ``kill_rounds`` times, the kills spread over the
    load (submission n waits for its share of kills, and goes on while the process killed is
    down), ``kill_every`` seconds apart (seeded)."""

    size: int
    seed: int = 18
    callers: int = 4
    kill_rounds: int = 3
    kill_every: tuple[float, float] = (0.3, 1.0)
    refused_share: float = 0.1
    repeat_share: float = 0.1
    web_workers: int = 2

    def kills_before(self, n: int) -> int:
        return n * self.kill_rounds * len(KILLED) // max(self.size, 1)


@dataclass
class Outcome:
    """What a caller came away with for one key."""

    key: str
    valid: bool
    status: int = 0
    ref: str = ""
    tries: int = 0
    repeat_status: int = 0
    repeat_ref: str = ""


@dataclass
class Figures:
    outcomes: list[Outcome] = field(default_factory=list)
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KILLED, 0))
    load_seconds: float = 0.0
    drain_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if 200 <= o.status < 300]

    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if 400 <= o.status < 500]

    def summary(self) -> dict[str, Any]:
        return {
            "submissions": len(self.outcomes),
            "accepted": len(self.accepted()),
            "refused": len(self.refused()),
            "undecided": len(self.outcomes) - len(self.accepted()) - len(self.refused()),
            "sent_again_after_an_error": sum(o.tries > 1 for o in self.outcomes),
            "tries": sum(o.tries for o in self.outcomes),
            "repeated_after_success": sum(bool(o.repeat_status) for o in self.outcomes),
            "kills": dict(self.kills),
            "load_seconds": round(self.load_seconds, 1),
            "drain_seconds": round(self.drain_seconds, 1),
            **self.extra,
        }


# ---------------------------------------------------------------------------- processes
class Fleet:
    """The supervised processes; ``kill`` takes one's whole process group, ``start`` (re)starts."""

    def __init__(self, env: dict[str, str], logs: Path, web_workers: int) -> None:
        self.env, self.logs = env, logs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        python = sys.executable
        worker = [python, "-m", "motcua.cli", "worker", "--no-reload", "--no-startup-delay",
                  "--interval", "0.2"]  # fmt: skip
        self.commands = {
            "web": [python, "-m", "gunicorn", "--config", GUNICORN_CONFIG,
                    "motcua.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(web_workers),
                    "--log-level", "warning", "--timeout", "120"],
            "worker": [*worker, "--queue-name", "default"],
            "outbound": [*worker, "--queue-name", "outbound"],
            "scheduler": [python, "-m", "motcua.cli", "scheduler", "--every", "3"],
        }  # fmt: skip
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str) -> None:
        with self.lock, (self.logs / f"{name}.log").open("ab") as log:
            self.running[name] = subprocess.Popen(
                self.commands[name], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self, name: str) -> None:
        with self.lock:
            process = self.running[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    def stop(self, name: str, seconds: float = 20) -> None:
        process = self.running.get(name)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill(name)

    def stop_all(self) -> None:
        for name in ("web", "scheduler", "worker", "outbound"):
            self.stop(name)

    def wait_working(self, name: str, seconds: float = 90) -> None:
        if name == "web":
            self.wait_web(seconds)
            return
        from motcua.common.models import WorkerHeartbeat  # the test process's Django

        pid, deadline = self.running[name].pid, time.monotonic() + seconds
        try:
            while self.alive(name) and time.monotonic() < deadline:
                if WorkerHeartbeat.objects.filter(pid=pid).exists():
                    return
                time.sleep(0.2)
        finally:
            connection.close()  # this thread's connection

    def wait_web(self, seconds: float = 90) -> None:
        """Until the web server answers at all (/readyz may say 503 while a worker restarts)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive("web"):
                raise RuntimeError(f"the web server stopped: see {self.logs / 'web.log'}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the web server did not answer")


@contextmanager
def fleet_running(env: dict[str, str], logs: Path, web_workers: int) -> Iterator[Fleet]:
    fleet = Fleet(env, logs, web_workers)
    try:
        for name in ("worker", "outbound", "scheduler", "web"):
            fleet.start(name)
        fleet.wait_web()
        yield fleet
    finally:
        fleet.stop_all()


class Killer(threading.Thread):
    """SIGKILLs web or a worker in shuffled rounds (each process as often as the others) and
    restarts it after a short random pause; the next kill comes ``kill_every`` seconds after the
    restarted process is at work again (web answering, a worker beating), so that the load goes
    on between kills however slowly the machine starts a process."""

    def __init__(self, fleet: Fleet, plan: Plan, figures: Figures) -> None:
        super().__init__(name="killer", daemon=True)
        self.fleet, self.plan, self.figures = fleet, plan, figures
        self.random = random.Random(plan.seed)
        self.stopping = threading.Event()
        self.done = threading.Condition()

    def kills(self) -> int:
        return sum(self.figures.kills.values())

    def wait_kills(self, count: int, seconds: float = 120) -> None:
        with self.done:
            self.done.wait_for(lambda: self.kills() >= count or not self.is_alive(), seconds)

    def run(self) -> None:
        try:
            self.kill_in_turn()
        finally:
            with self.done:
                self.done.notify_all()

    def kill_in_turn(self) -> None:
        order: list[str] = []
        while not self.stopping.wait(self.random.uniform(*self.plan.kill_every)):
            if not order:
                order = list(KILLED)
                self.random.shuffle(order)
            name = order.pop()
            self.fleet.kill(name)
            with self.done:  # the callers waiting for this kill go on while it is down
                self.figures.kills[name] += 1
                self.done.notify_all()
            time.sleep(self.random.uniform(0.0, 0.3))
            self.fleet.start(name)
            self.fleet.wait_working(name)
            if self.kills() >= self.plan.kill_rounds * len(KILLED):
                return

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        for name in KILLED:  # whatever the last kill left behind is running again
            if not self.fleet.alive(name):
                self.fleet.start(name)


# ---------------------------------------------------------------------------- callers
def body_of(n: int, valid: bool) -> dict[str, Any]:
    return {
        "unit": WARD, "procedure": PROCEDURE if valid else UNKNOWN_PROCEDURE, "channel": "counter",
        "applicant": {"name": f"Người nộp {n}", "id_number": "001090012345",
                      "phone": f"09{n % 100_000_000:08d}", "email": f"nguoi{n}@example.com"},
    }  # fmt: skip


def post(url: str, token: str, body: dict[str, Any], key: str) -> tuple[int, Any]:
    """One call; (0, error) when no HTTP answer came back (refused, reset, timed out)."""
    request = urllib.request.Request(
        url + "/api/v1/dossiers", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Idempotency-Key": key},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error_answer(error, cut=300)
    except (OSError, http.client.HTTPException) as error:
        return 0, repr(error)


def definitive(status: int) -> bool:
    """2xx or 4xx, except "try later" answers (408, 425, 429)."""
    return 200 <= status < 300 or (400 <= status < 500 and status not in {408, 425, 429})


def until_definitive(
    url: str, token: str, body: dict[str, Any], key: str, seconds: float = 180
) -> tuple[int, Any, int]:
    """Send, and again with the same key, until a definitive answer; (status, body, tries)."""
    deadline, tries = time.monotonic() + seconds, 0
    status, answer = 0, None
    while time.monotonic() < deadline:
        tries += 1
        status, answer = post(url, token, body, key)
        if definitive(status):
            break
        time.sleep(0.2)
    return status, answer, tries


def submit(url: str, token: str, plan: Plan, n: int, rng: random.Random) -> Outcome:
    valid = rng.random() >= plan.refused_share
    key = f"chaos-{plan.seed}-{n:05d}"
    body = body_of(n, valid)
    status, answer, tries = until_definitive(url, token, body, key)
    outcome = Outcome(key=key, valid=valid, status=status, tries=tries)
    if 200 <= status < 300 and isinstance(answer, dict):
        outcome.ref = str(answer.get("ref") or "")
        if rng.random() < plan.repeat_share:  # the caller sends it again, later
            again, repeated, _tries = until_definitive(url, token, body, key)
            outcome.repeat_status = again
            outcome.repeat_ref = (
                str(repeated.get("ref") or "") if isinstance(repeated, dict) else ""
            )
    return outcome


def load(url: str, token: str, plan: Plan, figures: Figures, killer: Killer) -> None:
    """Every submission, from ``plan.callers`` threads, each after its share of kills."""
    started = time.monotonic()
    draws = random.Random(plan.seed + 1)
    seeds = [draws.randrange(2**32) for _ in range(plan.size)]

    def one(n: int) -> Outcome:
        killer.wait_kills(plan.kills_before(n))
        return submit(url, token, plan, n, random.Random(seeds[n]))

    with ThreadPoolExecutor(plan.callers) as pool:
        figures.outcomes = list(pool.map(one, range(plan.size)))
    figures.load_seconds = time.monotonic() - started


def under_chaos(fleet: Fleet, token: str, plan: Plan) -> Figures:
    """The load with the killer running; every killed process is running again at the end."""
    figures = Figures()
    killer = Killer(fleet, plan, figures)
    killer.start()
    try:
        load(fleet.url, token, plan, figures, killer)
        killer.wait_kills(plan.kill_rounds * len(KILLED))  # the last round, however late
    finally:
        killer.stop()
    return figures
