"""Work split over processes on one machine (bulk commands: verify, export, demo data).

Each process opens its own database connection (the parent's are closed before forking), and
results come back in the order of the tasks, so the output is the same for any number of
processes. Other processes see only committed rows of a server database: inside a transaction
(a test, an enclosing atomic block) or on SQLite the work stays in this process.

The processes are a ``ProcessPoolExecutor``, not a ``multiprocessing.Pool``: the pool ends its
workers with SIGTERM while it holds the lock they wait on, so a worker that inherited a Python
SIGTERM handler (a command run in-process, such as the scheduler's graceful stop) never ends
and the command hangs; the executor ends its workers by telling them, and reports a worker
that died instead of waiting for it.
"""

from __future__ import annotations

import collections
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.models import QuerySet

T = TypeVar("T")
R = TypeVar("R")


def processes_usable(requested: int) -> int:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, requested)


def in_order(function: Callable[[T], R], tasks: Iterable[T], processes: int) -> Iterator[R]:
    """``function(task)`` for every task, in order, here or in ``processes`` forked processes
    (at most two tasks per process waiting, so tasks are produced as they are needed). Leaving
    early (an error, a reader that stops) drops the tasks not started and waits for the rest."""
    if processes <= 1:
        for task in tasks:
            yield function(task)
        return
    connections.close_all()
    executor = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=worker_start
    )
    window: collections.deque[Future[R]] = collections.deque()
    try:
        for task in tasks:
            window.append(executor.submit(function, task))
            if len(window) >= 2 * processes:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def worker_start() -> None:
    """A worker ends on SIGTERM whatever handler its parent had, and leaves Ctrl-C to the
    parent, which stops the work (one traceback, not one per process).

    The executor forks at its first task, after the parent has read the first range of ids:
    the connection the worker inherits is the parent's, so it is dropped, not closed (closing
    tells the server to end the parent's session)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for alias in connections:
        connections[alias].connection = None


def id_ranges(rows: QuerySet[Any], size: int) -> Iterator[tuple[int, int]]:
    """Contiguous ranges ``[low, high)`` of primary keys that together hold every row of
    ``rows``, each at most ``size`` ids wide where rows are and none empty: ids with large gaps
    (a partition period's jump, decision 0022; a Citus node's own range) cost one indexed
    query per range, never a task per empty stretch."""
    low = 0
    while True:
        first = rows.filter(pk__gte=low).order_by("pk").values_list("pk", flat=True).first()
        if first is None:
            return
        yield low, first + size
        low = first + size
