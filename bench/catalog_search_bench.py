"""Latency and memory of procedure search over the full catalog (5,670 records), as the API runs it.

    MOTCUA_VAR_DIR=<a prepared var dir> .venv/bin/python bench/catalog_search_bench.py [--rounds 20]

Needs a database with the catalog imported (`make run` once, or `motcua migrate`,
`motcua load-units`, `motcua import-catalog`); with MOTCUA_DATABASE_URL it runs on PostgreSQL.
Every query of the quality set (`tests/catalog/search_queries.py`, held-out questions included)
and of the first-result list (`tests/catalog/test_search.py`) is run ``--rounds`` times through
`procedure_search` (ranking in memory plus the database fetch of the page of 20); the index is
built once before timing, as a running server has it. Memory: the process's resident set after
Django and every URL module are loaded (what a web worker holds at start), then after the
first search built the index.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds

    import django

    django.setup()
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — import every view, as a web worker does
    from tests.catalog.search_queries import HELD_OUT, QUERIES
    from tests.catalog.test_search import REAL_QUERIES

    from motcua.catalog.models import Procedure
    from motcua.catalog.search import INDEX, Filters
    from motcua.catalog.selectors import procedure_search

    queries = [q for _kind, q, _codes in QUERIES + HELD_OUT] + [q for q, _code in REAL_QUERIES]
    gc.collect()
    before = rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    INDEX.clear()
    INDEX.get()
    built, built_cpu = time.perf_counter() - began, time.process_time() - cpu
    gc.collect()
    after = rss_mb()
    records = Procedure.objects.count()
    print(f"{records:,} procedures; index built in {built:.2f} s ({built_cpu:.2f} s of CPU)")
    print(
        f"resident memory: {before:.0f} MB before the index, {after:.0f} MB after (+{after - before:.0f} MB)"
    )
    timings, cpu_timings = [], []
    for _ in range(rounds):
        for query in queries:
            began, cpu = time.perf_counter(), time.process_time()
            procedure_search(query=query, filters=Filters(), page_size=20)
            timings.append((time.perf_counter() - began) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
    timings.sort()
    cpu_timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(
        f"{len(timings)} searches ({len(queries)} queries × {rounds}): "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
    )
    print(
        f"CPU time per search: p50 {statistics.median(cpu_timings):.2f} ms, "
        f"p95 {cpu_timings[int(len(cpu_timings) * 0.95) - 1]:.2f} ms "
        "(wall time counts the waits of a shared machine too)"
    )
    print(f"resident memory after the searches: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
