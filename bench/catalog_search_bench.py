"""Latency of procedure search over the full catalog (5,670 records), as the API runs it.

    MOTCUA_VAR_DIR=<a prepared var dir> .venv/bin/python bench/catalog_search_bench.py

Needs a database with the catalog imported (`make run` once, or `motcua migrate`,
`motcua load-units`, `motcua import-catalog`). Each query of the real-query list is run many
times through `procedure_search` (ranking in memory plus the database fetch of the page); the
index is built once before timing, as a running server has it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from tests.catalog.test_search import REAL_QUERIES  # noqa: E402

from motcua.catalog.models import Procedure  # noqa: E402
from motcua.catalog.search import INDEX, Filters  # noqa: E402
from motcua.catalog.selectors import procedure_search  # noqa: E402

ROUNDS = 20


def main() -> None:
    records = Procedure.objects.count()
    began = time.perf_counter()
    INDEX.clear()
    INDEX.get()
    print(f"{records:,} procedures; index built in {time.perf_counter() - began:.2f} s")
    timings = []
    for _ in range(ROUNDS):
        for query, _expected in REAL_QUERIES:
            began = time.perf_counter()
            procedure_search(query=query, filters=Filters(), page_size=20)
            timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(
        f"{len(timings)} searches ({len(REAL_QUERIES)} queries × {ROUNDS}): "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
