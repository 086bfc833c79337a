"""What more periods cost a look-up of one dossier (decision 0022), on a PostgreSQL database that
already holds dossiers (e.g. after `motcua demo-data`).

    MOTCUA_DATABASE_URL=<postgres> MOTCUA_VAR_DIR=<var> .venv/bin/python bench/partitions_bench.py \
        [--lookups 2000] [--periods 11]

Times the same look-ups with the database's partitions, then with ``--periods`` more (empty)
periods created inside a transaction that is rolled back: by code and by reference (no
partition key: every period's index is probed), one dossier by id and its events by dossier id
(one partition). The statements are sent with plain cursors, so the figures are the database's
planning and execution plus one round trip, not Django's.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from motcua.dossiers import partitions  # noqa: E402

QUERIES = {
    "by code": "SELECT id FROM dossiers_dossier WHERE code = %s",
    "by ref": "SELECT id FROM dossiers_dossier WHERE ref = %s",
    "by id": "SELECT id, status FROM dossiers_dossier WHERE id = %s",
    "its events": "SELECT seq, hash FROM dossiers_dossierevent WHERE dossier_id = %s ORDER BY seq",
}


def measure(samples: list[tuple[int, str, str]], lookups: int) -> dict[str, float]:
    """Microseconds per statement (median of five rounds), by kind."""
    result = {}
    with connection.cursor() as cursor:
        for kind, sql in QUERIES.items():
            rounds = []
            for _ in range(5):
                began = time.perf_counter()
                for i in range(lookups):
                    pk, code, ref = samples[i % len(samples)]
                    value = {"by code": code, "by ref": ref}.get(kind, pk)
                    cursor.execute(sql, [value])
                    cursor.fetchall()
                rounds.append((time.perf_counter() - began) / lookups * 1e6)
            result[kind] = statistics.median(rounds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--periods", type=int, default=11)
    options = parser.parse_args()
    if not partitions.partitions_available():
        sys.exit("needs PostgreSQL after migrate (dossiers 0012)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, ref FROM dossiers_dossier WHERE code IS NOT NULL")
        rows = list(cursor.fetchall())
    random.Random(1).shuffle(rows)
    samples = rows[:500]
    with transaction.atomic():
        existing = partitions.partitions_list()
        before = measure(samples, options.lookups)
        latest = existing[-1]
        high = latest.high
        day = latest.starts_on
        with connection.cursor() as cursor:
            for _ in range(options.periods):
                day = partitions.period_of(day).next_starts_on
                period = partitions.period_of(day)
                partitions.partition_create(cursor, period, low=high, high=high + partitions.STEP)
                high += partitions.STEP
            cursor.execute("ANALYZE dossiers_dossier, dossiers_dossierevent")
        after = measure(samples, options.lookups)
        transaction.set_rollback(True)
    total = len(existing) + options.periods
    print(f"{len(rows):,} dossiers with a code; {options.lookups} look-ups × 5 rounds (median)")
    print(f"{'µs per statement':<18}{len(existing):>4} period(s){total:>6} periods")
    for kind in QUERIES:
        print(f"{kind:<18}{before[kind]:>14.0f}{after[kind]:>13.0f}")
    print(f"(at {datetime.datetime.now():%d/%m/%Y %H:%M}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
