"""Work split over forked processes (``common/parallel.py``)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from motcua.common.parallel import in_order


def square(value: int) -> int:
    return value * value


def test_results_come_back_in_the_order_of_the_tasks() -> None:
    assert list(in_order(square, range(20), 2)) == [n * n for n in range(20)]


def test_workers_end_when_the_reader_stops_early_even_if_the_parent_ignores_sigterm() -> None:
    """A command run in-process (the scheduler's graceful stop) may leave a SIGTERM handler in
    the parent; leaving the pool early must still end its workers. (This passes without
    ``worker_start``'s reset too: it does not yet reproduce the hang seen once on PostgreSQL.)"""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    found: list[Any] = []

    def read_two() -> None:
        results = in_order(square, range(100), 2)
        found.extend([next(results), next(results)])
        results.close()  # the pool is left early: it terminates its workers

    try:
        reader = threading.Thread(target=read_two, daemon=True)
        reader.start()
        reader.join(timeout=60)
        assert not reader.is_alive(), "the pool waits for workers that ignore SIGTERM"
        assert found == [0, 1]
    finally:
        signal.signal(signal.SIGTERM, previous)
