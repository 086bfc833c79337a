"""`motcua serve`'s process supervision (decision 0037): a child that dies is restarted alone.

The web server, the task workers and the scheduler are children of `serve`. When one exits it
is started again after a backoff (0.5 s, 1 s, 2 s … at most 30 s, by how often it died lately);
the others keep running. A child that dies more than ``max_restarts`` times within a minute is
broken, not unlucky: `serve` then stops everything and exits non-zero, for the service manager
(systemd, the container runtime) to see.
"""

from __future__ import annotations

import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 60.0  # seconds over which restarts are counted
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0


class GaveUp(Exception):
    """A child died too often: the whole set is stopped."""


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)
    restart_at: float = 0.0


class Supervisor:
    def __init__(
        self, commands: dict[str, list[str]], *, env: dict[str, str] | None,
        log: Callable[[str], None], max_restarts: int = 5,
    ) -> None:  # fmt: skip
        self.children = [Child(name, argv) for name, argv in commands.items()]
        self.env = env
        self.log = log
        self.max_restarts = max_restarts

    def start(self) -> None:
        for child in self.children:
            self.spawn(child)

    def spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, env=self.env)
        self.log(f"{child.name}: pid {child.process.pid}")

    def check(self, at: float | None = None) -> None:
        """Notice the children that died and restart those whose backoff is over."""
        at = time.monotonic() if at is None else at
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                self.died(child, at)
            if child.process is None and child.restart_at <= at:
                child.restarts.append(at)
                self.spawn(child)

    def died(self, child: Child, at: float) -> None:
        assert child.process is not None
        code = child.process.returncode
        child.process = None
        while child.restarts and child.restarts[0] < at - WINDOW:
            child.restarts.popleft()
        if len(child.restarts) >= self.max_restarts:
            raise GaveUp(
                f"{child.name} đã dừng {len(child.restarts) + 1} lần trong {WINDOW:.0f} giây / "
                f"died {len(child.restarts) + 1} times within {WINDOW:.0f} s (exit {code})"
            )
        delay = min(BACKOFF_FIRST * 2 ** len(child.restarts), BACKOFF_MAX)
        child.restart_at = at + delay
        self.log(
            f"!!! {child.name} đã dừng (mã {code}); khởi động lại sau {delay:g} giây / "
            f"exited with {code}; restarting in {delay:g} s"
        )

    def pids(self) -> dict[str, int | None]:
        return {c.name: c.process.pid if c.process else None for c in self.children}

    def stop(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
