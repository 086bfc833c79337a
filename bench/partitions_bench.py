"""What more periods cost a look-up of one dossier (decision 0022), on a PostgreSQL database that
already holds dossiers (e.g. after `motcua demo-data`).

    MOTCUA_DATABASE_URL=<postgres> MOTCUA_VAR_DIR=<var> .venv/bin/python bench/partitions_bench.py \
        [--lookups 2000] [--periods 11]

Times the same look-ups with the database's partitions, then with ``--periods`` more (empty)
periods created inside a transaction that is rolled back: by code and by reference (no
partition key: every period's index is probed), one dossier by id and its events by dossier id
(one partition), and the two hot reads that find a dossier by code (the API's dossier read and
the public lookup, as they query, without the request around them). The plain statements are
sent with plain cursors: their figures are the database's planning and execution plus one round
trip.
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

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from motcua.dossiers import partitions, reading  # noqa: E402
from motcua.portal import services as portal_services  # noqa: E402

QUERIES = {
    "by code": "SELECT id FROM dossiers_dossier WHERE code = %s",
    "by ref": "SELECT id FROM dossiers_dossier WHERE ref = %s",
    "by code, key table": (
        "SELECT id FROM dossiers_dossier WHERE id = "
        "(SELECT dossier_id FROM dossiers_dossierkey WHERE key = 'c|' || %s)"
    ),
    "by id": "SELECT id, status FROM dossiers_dossier WHERE id = %s",
    "its events": "SELECT seq, hash FROM dossiers_dossierevent WHERE dossier_id = %s ORDER BY seq",
}


# The hot paths that find a dossier by its code or reference (whole requests are in
# bench/reads_bench.py): the dossier read of the API and the public lookup, as they query.
READS = {
    "API dossier read": lambda code: reading.NAMED(name=code),
    "public lookup": lambda code: portal_services.LOOKED_UP(name=code, address="ip:b", since=1),
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
                    value = (
                        pk if kind in ("by id", "its events") else ref if kind == "by ref" else code
                    )
                    cursor.execute(sql, [value])
                    cursor.fetchall()
                rounds.append((time.perf_counter() - began) / lookups * 1e6)
            result[kind] = statistics.median(rounds)
    for kind, read in READS.items():
        rounds = []
        for _ in range(5):
            began = time.perf_counter()
            for i in range(lookups // 4):
                list(read(samples[i % len(samples)][1]))
            rounds.append((time.perf_counter() - began) / (lookups // 4) * 1e6)
        result[kind] = statistics.median(rounds)
    return result


def summary(code: str) -> str:
    """Planning and execution time of one look-up by code, as PostgreSQL reports them."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + QUERIES["by code"], [code])
        lines = [line for (line,) in cursor.fetchall() if "Time:" in line]
    return " / ".join(line.split(":")[1].strip() for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--periods", type=int, default=11)
    options = parser.parse_args()
    if not partitions.partitions_available():
        sys.exit("needs PostgreSQL after migrate (dossiers 0013)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, ref FROM dossiers_dossier WHERE code IS NOT NULL")
        rows = list(cursor.fetchall())
    random.Random(1).shuffle(rows)
    samples = rows[:500]
    with transaction.atomic():
        existing = partitions.partitions_list()
        before = measure(samples, options.lookups)
        timings = [summary(samples[0][1])]
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
        timings.append(summary(samples[0][1]))
        transaction.set_rollback(True)
    total = len(existing) + options.periods
    print(f"{len(rows):,} dossiers with a code; {options.lookups} look-ups × 5 rounds (median)")
    print(f"{'µs per statement':<18}{len(existing):>4} period(s){total:>6} periods")
    for kind in [*QUERIES, *READS]:
        print(f"{kind:<18}{before[kind]:>14.0f}{after[kind]:>13.0f}")
    print("planning / execution of one look-up by code:", *timings)
    print(f"(at {datetime.datetime.now():%d/%m/%Y %H:%M}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
