"""Work split over forked processes (``common/parallel.py``).

The pool runs in a fresh interpreter: forking the test process itself (a pytest-xdist worker
with its own threads) tests the test runner, not the pool.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import signal, sys, django
    django.setup()
    from motcua.common.parallel import in_order

    def square(value):
        return value * value

    def pid_of(_):
        import os
        return os.getpid()

    # What a command run in-process leaves behind (the scheduler's graceful stop).
    signal.signal(signal.SIGTERM, lambda *_: None)
    for _ in range(8):  # a hang of the old pool came one run in three or so
        assert list(in_order(square, range(50), 2)) == [n * n for n in range(50)]
        results = in_order(square, range(1000), 2)
        first = [next(results), next(results)]
        results.close()
        assert first == [0, 1], first
    workers = set(in_order(pid_of, range(40), 2))
    assert len(workers) <= 2 and os.getpid() not in workers, workers
    print("ended")
    """
)


def run_pool_script() -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    environment.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    return subprocess.run(
        [sys.executable, "-c", "import os\n" + SCRIPT],
        env=environment, capture_output=True, text=True, timeout=90,
    )  # fmt: skip


def test_results_come_back_in_order_and_workers_end_even_if_the_parent_ignores_sigterm() -> None:
    """All tasks in order; a reader that stops early; both while the parent has a SIGTERM
    handler that does not stop it. A ``multiprocessing.Pool`` hangs here now and then (its
    workers wait for a lock the parent holds and can only be ended by SIGTERM); the timeout
    turns a hang into a failure."""
    finished = run_pool_script()
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "ended"
