"""A closed-loop HTTP load driver: fixed concurrency for a fixed time, like ``wrk -t2 -c16``;
or, with ``rate``, an open-loop one: requests sent at a fixed rate whatever the answers do.

``load_run(base_url, requests, ...)`` starts ``processes`` (2) driver processes, each running
``connections // processes`` asyncio tasks; every task sends the next request of the list as
soon as the previous answer came back. The default client writes each request, prepared once as
bytes, on a new connection and reads the answer's status line (both servers are gunicorn sync
workers, which close the connection after each answer anyway); ``client="aiohttp"`` sends
through an aiohttp session instead, at about twice the driver's CPU per request. After ``warmup`` seconds (not
counted: caches and connections of the server warm up) it counts for ``seconds``. Reports
requests per second, p50/p95/p99/max latency, the answers that were not the expected status
(and transport errors), and the CPU the driver itself used, so that a driver near its limit
shows in the output instead of passing for a slow server.

With ``rate`` (requests a second, all processes together) each request is sent at its own time
on the schedule, answered or not, and its latency runs from that time, not from when it could be
sent: a server that falls behind shows its queue in the latencies (no "coordinated omission", in
which a closed loop waits politely and the requests a stall would have delayed are never sent).
That is how a latency goal is read at a stated load: ``connections`` is then unused.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import numpy as np


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    expect: int = 200


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    driver_cpu_s: float = 0.0
    # What ``probe`` counted over the window (e.g. the servers' CPU seconds), if one was given.
    probed: tuple[float, ...] = ()

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")

    @property
    def driver_cpu_share(self) -> float:
        """Driver CPU seconds per wall second (1.0 = one core busy)."""
        return self.driver_cpu_s / self.seconds if self.seconds else 0.0


def load_run(
    base_url: str, requests: list[Request], *, seconds: float = 15.0, warmup: float = 3.0,
    connections: int = 16, processes: int = 2, timeout: float = 60.0,
    probe: Callable[[], tuple[float, ...]] | None = None, client: str = "raw", rate: float = 0.0,
) -> LoadResult:  # fmt: skip
    """Measure; the request list is shared out so that each task starts at another item.
    ``probe`` is called when the window opens and when it closes; the difference is kept."""
    per_process = max(1, connections // processes)
    start_at = time.time() + 0.5 + 0.2 * processes  # every process starts counting together
    jobs = [
        (
            base_url,
            requests,
            per_process,
            p * per_process,
            start_at,
            warmup,
            seconds,
            timeout,
            client,
            (rate / processes, p / rate) if rate else None,
        )
        for p in range(processes)
    ]
    marks: list[tuple[float, ...]] = []
    watcher = threading.Thread(
        target=probe_window, args=(probe, start_at + warmup, seconds, marks), daemon=True
    )
    if probe is not None:
        watcher.start()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        parts = pool.starmap(driver_process, jobs)
    result = LoadResult(seconds=seconds)
    if probe is not None:
        watcher.join()
        result.probed = tuple(b - a for a, b in zip(*marks, strict=True))
    for part in parts:
        result.requests += part.requests
        result.errors += part.errors
        result.statuses.update(part.statuses)
        result.latencies_ms += part.latencies_ms
        result.driver_cpu_s += part.driver_cpu_s
    return result


def probe_window(
    probe: Callable[[], tuple[float, ...]], opens: float, seconds: float,
    marks: list[tuple[float, ...]],
) -> None:  # fmt: skip
    time.sleep(max(0.0, opens - time.time()))
    marks.append(probe())
    time.sleep(max(0.0, opens + seconds - time.time()))
    marks.append(probe())


def driver_process(
    base_url: str, requests: list[Request], tasks: int, offset: int, start_at: float,
    warmup: float, seconds: float, timeout: float, client: str,
    paced: tuple[float, float] | None,
) -> LoadResult:  # fmt: skip
    """``paced``: (this process's rate, its first request's delay), else a closed loop."""
    if paced is not None:
        return asyncio.run(
            drive_paced(
                base_url, requests, offset, start_at, warmup, seconds, timeout, client, paced
            )
        )
    return asyncio.run(
        drive(base_url, requests, tasks, offset, start_at, warmup, seconds, timeout, client)
    )


async def drive(
    base_url: str, requests: list[Request], tasks: int, offset: int, start_at: float,
    warmup: float, seconds: float, timeout: float, client: str,
) -> LoadResult:  # fmt: skip
    await asyncio.sleep(max(0.0, start_at - time.time()))
    loop = time.perf_counter()
    counting_from, until = loop + warmup, loop + warmup + seconds
    result = LoadResult(seconds=seconds)
    cpu_before = 0.0
    async with sender(client, base_url, requests, timeout) as send:

        async def worker(index: int) -> None:
            position = offset + index
            while True:
                began = time.perf_counter()
                if began >= until:
                    return
                request = requests[position % len(requests)]
                position += tasks * 7 + 1  # tasks walk the list at different places
                status = await send(request)
                done = time.perf_counter()
                # Counted when the answer comes inside the window (as wrk does), so a request
                # slower than the window still counts once it is answered.
                if counting_from <= done <= until:
                    result.requests += 1
                    result.latencies_ms.append((done - began) * 1000)
                    result.statuses[status] += 1
                    if status != str(request.expect):
                        result.errors += 1

        async def cpu_mark() -> None:
            nonlocal cpu_before
            await asyncio.sleep(max(0.0, counting_from - time.perf_counter()))
            cpu_before = time.process_time()

        await asyncio.gather(cpu_mark(), *(worker(i) for i in range(tasks)))
    result.driver_cpu_s = time.process_time() - cpu_before
    return result


async def drive_paced(
    base_url: str, requests: list[Request], offset: int, start_at: float, warmup: float,
    seconds: float, timeout: float, client: str, paced: tuple[float, float],
) -> LoadResult:  # fmt: skip
    """Requests sent at ``rate`` a second from ``delay`` on, each timed from its scheduled
    moment; counted when that moment is inside the window (an answer that comes after the
    window still counts: a slow answer is the figure, not something to leave out)."""
    rate, delay = paced
    await asyncio.sleep(max(0.0, start_at - time.time()))
    loop = time.perf_counter() + delay
    counting_from, until = loop + warmup, loop + warmup + seconds
    result = LoadResult(seconds=seconds)
    cpu_before = time.process_time()
    async with sender(client, base_url, requests, timeout) as send:

        async def one(request: Request, scheduled: float) -> None:
            status = await send(request)
            if counting_from <= scheduled < until:
                result.requests += 1
                result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
                result.statuses[status] += 1
                result.errors += status != str(request.expect)

        flying: set[asyncio.Task[None]] = set()
        for sent in range(int((warmup + seconds) * rate)):
            scheduled = loop + sent / rate
            if sent == int(warmup * rate):
                cpu_before = time.process_time()
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            task = asyncio.create_task(one(requests[(offset + sent) % len(requests)], scheduled))
            flying.add(task)
            task.add_done_callback(flying.discard)
        await asyncio.gather(*flying)
    result.driver_cpu_s = time.process_time() - cpu_before
    return result


@contextlib.asynccontextmanager
async def sender(
    client: str, base_url: str, requests: list[Request], timeout: float
) -> AsyncIterator[Callable[[Request], Awaitable[str]]]:
    """A coroutine that sends one request and gives the answer's status as text (or the
    transport error's name): over raw sockets (``raw``: each request prepared once as bytes,
    ``Connection: close``, read to the end) or through an aiohttp session (``aiohttp``)."""
    if client == "raw":
        address = urllib.parse.urlsplit(base_url)
        host, port = address.hostname or "127.0.0.1", address.port or 80
        prepared = {id(r): raw_request(address.netloc, r) for r in requests}

        async def send_raw(request: Request) -> str:
            return await raw_send(host, port, prepared[id(request)], timeout)

        yield send_raw
        return
    async with aiohttp.ClientSession(
        base_url, connector=aiohttp.TCPConnector(limit=0), auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=timeout), cookie_jar=aiohttp.DummyCookieJar(),
    ) as session:  # fmt: skip

        async def send_aiohttp(request: Request) -> str:
            try:
                async with session.request(
                    request.method, request.path, data=request.body or None,
                    headers=dict(request.headers),
                ) as answer:  # fmt: skip
                    await answer.read()
                    return str(answer.status)
            except (aiohttp.ClientError, TimeoutError) as error:
                return type(error).__name__

        yield send_aiohttp


def raw_request(netloc: str, request: Request) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    if request.body or request.method != "GET":
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body


class RawExchange(asyncio.Protocol):
    """Sends the prepared request when connected and keeps the answer's first bytes until the
    server closes the connection (cheaper than streams: no reader or writer objects)."""

    def __init__(self, payload: bytes, done: asyncio.Future[bytes]) -> None:
        self.payload, self.done, self.head = payload, done, b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.payload)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        if len(self.head) < 12:
            self.head += data[:12]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(self.head)


async def raw_send(host: str, port: int, payload: bytes, timeout: float) -> str:
    """One request on its own connection; the server closes it after the answer."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    try:
        async with asyncio.timeout(timeout):
            transport, _protocol = await loop.create_connection(
                lambda: RawExchange(payload, done), host, port
            )
            try:
                answer = await done
            finally:
                transport.close()
    except (OSError, TimeoutError) as error:
        return type(error).__name__
    if not answer.startswith(b"HTTP/1."):
        return "BadAnswer"
    return answer[9:12].decode()
