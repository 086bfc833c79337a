"""Work split over processes on one machine (bulk commands: verify, export, demo data, import).

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
import ctypes
import multiprocessing
import os
import queue
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
    forking()
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
    parent_death_follow()
    for alias in connections:
        connections[alias].connection = None


PR_SET_PDEATHSIG = 1  # linux/prctl.h
_parent = os.getpid()  # set again by the parent just before it forks


def parent_death_follow() -> None:
    """End with the parent: a parent killed (SIGKILL, SIGTERM) never tells its workers, which
    would go on writing after the operator stopped the command, or wait for ever on a pipe
    nobody reads. Linux sends the signal; elsewhere a worker outlives its parent as before."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != _parent:  # the parent died before the request took effect
        os._exit(1)


def forking() -> None:
    global _parent
    _parent = os.getpid()


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


Tick = Callable[[int], object]


class ProcessDied(RuntimeError):
    """A worker ended without answering (killed, out of memory)."""


Part = Callable[[int, int, Tick], T]  # (this process's index, how many processes, progress)


def in_parts(workers: int, part: Part[T], *, progress: Tick) -> list[T]:
    """``part(index, workers, tick)`` in each of ``workers`` forked processes (or
    ``part(0, 1, progress)`` here when only one can be used), with their ticks summed into
    ``progress``; what each returns, in the order of their indexes.

    For work that is one long stream per process (a generator's offices, an import's units),
    not many small tasks: each process keeps its state from the first line to the last. A
    process that dies without answering (killed, out of memory) stops the run with an error
    instead of leaving the parent waiting for it."""
    workers = processes_usable(workers)
    if workers == 1:
        return [part(0, 1, progress)]
    connections.close_all()  # each process opens its own connection
    forking()
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    answers: Any = context.Queue()
    processes = [
        context.Process(target=part_run, args=(part, index, workers, done, answers))
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        found = answers_wait(processes, answers, done, progress)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    return [found[index] for index in range(workers)]


def answers_wait(processes: list[Any], answers: Any, done: Any, progress: Tick) -> dict[int, Any]:
    found: dict[int, Any] = {}
    seen = 0
    while len(found) < len(processes):
        try:
            index, answer = answers.get(timeout=0.5)
        except queue.Empty:
            dead = [i for i, p in enumerate(processes) if i not in found and p.exitcode is not None]
            if dead:
                raise ProcessDied(
                    f"tiến trình {dead[0]} dừng mà không trả lời / process {dead[0]} ended "
                    f"without an answer (exit code {processes[dead[0]].exitcode})"
                ) from None
        else:
            if isinstance(answer, BaseException):
                raise answer
            found[index] = answer
        progress(done.value - seen)
        seen = done.value
    return found


def part_run(part: Part[Any], index: int, workers: int, done: Any, answers: Any) -> None:
    worker_start()

    def tick(n: int) -> None:
        with done.get_lock():
            done.value += n

    try:
        answers.put((index, part(index, workers, tick)))
    except BaseException as error:  # the parent reports it
        answers.put((index, error))
    finally:
        connections.close_all()
