"""Time the Decision 766 rollup: rebuilding it from the events, catching up, and answering the
indicators of a year (whole city, one unit) from it.

    MOTCUA_VAR_DIR=<fresh var dir> .venv/bin/python bench/indicators_bench.py --dossiers 100000
    MOTCUA_VAR_DIR=… MOTCUA_DATABASE_URL=postgres://… .venv/bin/python bench/indicators_bench.py

The dossiers are the audit bench's (``sealed.py``: six sealed events each, written straight into
the tables, one a minute from 1/7/2025); their reception events carry no appointment, so each
fold also computes the legal deadline (the slow path of a legacy import).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from sealed import sealed_dossiers_write  # noqa: E402

from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402
from motcua.supervision.compute import Period, Scope, report  # noqa: E402
from motcua.supervision.rollup import catch_up, rebuild  # noqa: E402

UNIT = "hn-cong-an-phuong-hoan-kiem"


def timed(label: str, run: object, rounds: int = 5) -> None:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            run()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    print(
        f"{label}: median {statistics.median(times) * 1000:,.1f} ms, "
        f"max {max(times) * 1000:,.1f} ms, {len(queries.captured_queries)} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000, help="at least this many")
    options = parser.parse_args()
    with open(os.devnull, "w") as quiet:
        call_command("serve", "--prepare-only", verbosity=0, stdout=quiet)
    missing = options.dossiers - Dossier.objects.count()
    if missing > 0:
        began = time.perf_counter()
        sealed_dossiers_write(
            missing, start=Dossier.objects.count(), unit_code=UNIT,
            ref_of=lambda n: f"IND-{n:07d}", code_of=lambda n: f"INDB-{n:07d}",
        )  # fmt: skip
        print(f"generated {missing:,} dossiers in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    folded = rebuild()
    seconds = time.perf_counter() - began
    print(f"rebuild: {folded:,} dossiers in {seconds:.1f} s ({folded / seconds:,.0f}/s)")
    timed("catch-up, nothing new", catch_up)
    year = Period(datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    timed("city, one year", lambda: report(year, Scope(), at=at))
    unit = frozenset({Unit.objects.get(code=UNIT).pk})
    timed("one unit, one year", lambda: report(year, Scope(unit_ids=unit), at=at))


if __name__ == "__main__":
    main()
