"""Work split over processes on one machine (bulk commands: verify, export, demo data).

Each process opens its own database connection (the parent's are closed before forking), and
results come back in the order of the tasks, so the output is the same for any number of
processes. Other processes see only committed rows of a server database: inside a transaction
(a test, an enclosing atomic block) or on SQLite the work stays in this process.
"""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection, connections

T = TypeVar("T")
R = TypeVar("R")


def processes_usable(requested: int) -> int:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, requested)


def in_order(function: Callable[[T], R], tasks: Iterable[T], processes: int) -> Iterator[R]:
    """``function(task)`` for every task, in order, here or in ``processes`` forked processes
    (at most two tasks per process waiting, so tasks are produced as they are needed)."""
    if processes <= 1:
        for task in tasks:
            yield function(task)
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=connections.close_all) as pool:
        window: collections.deque[Any] = collections.deque()
        for task in tasks:
            window.append(pool.apply_async(function, (task,)))
            if len(window) >= 2 * processes:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()
