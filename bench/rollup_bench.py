"""The Decision 766 indicators of the whole city for a year, over millions of rollup rows.

    .venv/bin/python bench/rollup_bench.py --facts 10000000          # first run: generate
    .venv/bin/python bench/rollup_bench.py --facts 10000000 --reuse  # again, same rows

On the bench's PostgreSQL cluster (``pgcluster.py``, database ``motcua_rollup``): ``--facts``
rollup rows (``DossierFact``) written by one ``INSERT … SELECT`` per million, with the spread of
a city (156 units, 200 procedures of which 50 take 80 % of the dossiers, 45 % online, 2 % still
open (half of the last 25 days', 1 in 1,000 older), supplements, late and stopped dossiers, ratings and payments), received from 15/6/2025 to
15/7/2026; then the monthly buckets built from them (``buckets_rebuild``). What is timed is
what a supervisor's request runs: ``compute.report`` (the counts, the feedback counts, the
scores), median of 5 after one warm-up, with its queries, for the city's year 1/7/2025–30/6/2026,
one unit's year, one procedure's year, the last 12 months up to a day inside a month, and, for
comparison, the same counts read from every fact (the rollup before the buckets).

The facts are written without their dossiers (the foreign key is dropped in this database): the
report reads the rollup only, and the fold that writes it is measured by ``indicators_bench.py``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

DATABASE = "motcua_rollup"
BATCH = 1_000_000
# 15/6/2025 00:00 and 15/7/2026 00:00 in Hà Nội: the receptions' span.
FIRST, LAST = 1749920400, 1784048400
# One generated fact per row number g; its months and settled instant by the rule of
# ``rollup.settle`` (GREATEST skips NULLs, as ``settle`` skips the instants not come).
FACT_SQL = """
WITH base AS (
  SELECT g AS id,
         -- In order of arrival, as a live rollup writes them (row g near the g-th reception).
         {first} + floor((g - 1 + random()) * {span} / %(count)s)::bigint AS received,
         CASE WHEN random() < 0.9 THEN 1 + mod(g, 126) ELSE 127 + floor(random() * 30)::int END
           AS receiving,
         CASE WHEN random() < 0.8 THEN 1 + floor(random() * 50)::int
              ELSE 51 + floor(random() * 150)::int END AS procedure,
         random() AS r_channel, random() AS r_sup, random() AS r_kind,
         random() AS r_flags, 86400 * (1 + floor(random() * 20))::bigint AS duration,
         86400 * (3 + floor(random() * 13))::bigint AS limit_seconds
  FROM generate_series(%(low)s, %(high)s) AS g
), lived AS (
  -- Open at the snapshot (15/7/2026): half of the last 25 days' dossiers, and 1 in 1,000
  -- older ones left stuck.
  SELECT *, (received > {last} - 25 * 86400 AND random() < 0.5) OR random() < 0.001 AS open
  FROM base
), fact AS (
  SELECT id AS dossier_id, 6 AS seq, receiving AS receiving_unit_id,
         CASE WHEN receiving <= 126 AND r_kind < 0.9 THEN receiving
              ELSE 127 + mod(procedure, 30) END AS deciding_unit_id,
         procedure AS procedure_id, 1 + mod(procedure, 20) AS field_id,
         CASE WHEN r_channel < 0.45 THEN 'online' WHEN r_channel < 0.5 THEN 'national_portal'
              ELSE 'counter' END AS channel,
         received, received + limit_seconds AS due,
         CASE WHEN NOT open THEN received + duration END AS "end",
         CASE WHEN NOT open THEN received + duration END AS judge_end,
         CASE WHEN open THEN '' WHEN r_kind < 0.05 THEN 'stopped' ELSE 'resolved' END
           AS end_kind,
         CASE WHEN r_sup < 0.15 THEN received + 86400 END AS sup1_start,
         CASE WHEN r_sup < 0.14 THEN received + 3 * 86400 END AS sup1_end,
         CASE WHEN r_sup < 0.14 THEN received + limit_seconds + 2 * 86400 END AS sup1_due,
         CASE WHEN r_sup < 0.005 THEN received + 4 * 86400 END AS sup2,
         CASE WHEN r_sup < 0.14 THEN 2 * 86400 ELSE 0 END AS citizen,
         CASE WHEN r_flags < 0.6 THEN received END AS digitised,
         CASE WHEN NOT open AND r_flags < 0.7 THEN received + duration END AS e_result,
         CASE WHEN NOT open AND r_flags < 0.02 THEN received + duration + 86400 END
           AS unsatisfied,
         CASE WHEN r_flags < 0.3 THEN received END AS reused,
         CASE WHEN r_flags < 0.1 THEN received END AS from_store,
         CASE WHEN r_flags < 0.4 THEN received END AS fee,
         CASE WHEN r_flags < 0.25 THEN received END AS paid_online
  FROM lived
)
INSERT INTO supervision_dossierfact (
  dossier_id, seq, receiving_unit_id, deciding_unit_id, procedure_id, field_id, channel,
  received, due, "end", judge_end, end_kind, sup1_start, sup1_end, sup1_due, sup2, citizen,
  digitised, e_result, unsatisfied, reused, from_store, fee, paid_online,
  received_month, end_month, settled)
SELECT dossier_id, seq, receiving_unit_id, deciding_unit_id, procedure_id, field_id, channel,
  received, due, "end", judge_end, end_kind, sup1_start, sup1_end, sup1_due, sup2, citizen,
  digitised, e_result, unsatisfied, reused, from_store, fee, paid_online,
  {received_month}, {end_month}, CASE WHEN "end" IS NOT NULL THEN GREATEST({compared}) END
FROM fact
"""
MONTH = "to_char(to_timestamp({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMM')::int"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the rows already written")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jit", choices=["on", "off"], default="on", help="PostgreSQL's JIT")
    return parser.parse_args()


def database_url(*, fresh: bool) -> str:
    """The bench database, made again from nothing when ``fresh`` (migrated by the caller)."""
    import psycopg
    from pgcluster import cluster_url

    url = cluster_url(ROOT / "var" / "bench-pg")
    with psycopg.connect(url, autocommit=True) as admin:
        if fresh:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return url.rsplit("/", 1)[0] + "/" + DATABASE


def facts_generate(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from motcua.supervision.buckets import buckets_rebuild
    from motcua.supervision.rollup import COMPARED
    from motcua.supervision.snapshots import snapshots_catch_up, snapshots_clear

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = "
            "'supervision_dossierfact'::regclass AND contype = 'f' AND conparentid = 0"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE supervision_dossierfact DROP CONSTRAINT "{name}"')
        indexes = dropped_indexes(cursor)
        sql = FACT_SQL.format(
            first=FIRST,
            last=LAST,
            span=LAST - FIRST,
            compared=", ".join(f'"{c}"' for c in COMPARED),
            received_month=MONTH.format(column="received"),
            end_month=MONTH.format(column='"end"'),
        )
        for low in range(1, count + 1, BATCH):
            cursor.execute(sql, {"low": low, "high": min(count, low + BATCH - 1), "count": count})
            print(f"  {min(count, low + BATCH - 1):,} facts, {time.perf_counter() - began:.0f} s",
                  flush=True)  # fmt: skip
        for statement in indexes:
            cursor.execute(statement)
        print(f"  indexes again, {time.perf_counter() - began:.0f} s", flush=True)
    print(f"generated {count:,} facts in {time.perf_counter() - began:.0f} s", flush=True)
    began = time.perf_counter()
    with transaction.atomic():
        buckets_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE supervision_dossierfact")
        cursor.execute("VACUUM ANALYZE supervision_indicatorbucket")
    print(f"buckets built (and vacuumed) in {time.perf_counter() - began:.0f} s", flush=True)
    began = time.perf_counter()
    with transaction.atomic():
        snapshots_clear()
        made = snapshots_catch_up()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE supervision_flightsnapshot")
    print(f"{made} month-start snapshots made in {time.perf_counter() - began:.0f} s", flush=True)


def snapshots_ready() -> None:
    """On rows kept from an earlier run: the schema brought up to date, the month-start
    snapshots made if they are not."""
    from django.core.management import call_command
    from django.db import transaction

    from motcua.supervision.models import DossierFact
    from motcua.supervision.snapshots import snapshots_catch_up

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
    if not DossierFact.objects.exists():  # e.g. a migration that empties the rollup to refold
        sys.exit("The bench database holds no rollup rows: run again without --reuse.")
    began = time.perf_counter()
    with transaction.atomic():
        made = snapshots_catch_up()
    if made:
        print(f"{made} month-start snapshots made in {time.perf_counter() - began:.0f} s")


def dropped_indexes(cursor: Any) -> list[str]:
    """The facts' secondary indexes, dropped for the load; their definitions to build again."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'supervision_dossierfact' "
        "AND indexname NOT LIKE '%pkey'"
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def timed(label: str, run: Any, rounds: int) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run()  # warm-up: the plans and the pages in the buffer cache
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            run()
        times.append(time.perf_counter() - began)
    median = statistics.median(times) * 1000
    each = " + ".join(f"{float(q['time']) * 1000:,.0f}" for q in queries.captured_queries)
    print(f"| {label} | {median:,.1f} | {max(times) * 1000:,.1f} | "
          f"{len(queries.captured_queries)} ({each} ms) |", flush=True)  # fmt: skip
    return median


def measure(rounds: int, jit: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # "off" as the production guide advises for OLTP
        cursor.execute(f"SET jit = {'on' if jit == 'on' else 'off'}")

    from motcua.common.clock import clock_set_to
    from motcua.supervision.buckets import (
        around,
        beyond_buckets,
        bucket_sums,
        buckets_of,
        window_of,
    )
    from motcua.supervision.compute import Period, Scope, count_expressions, counts_by, report
    from motcua.supervision.dashboard import months_of
    from motcua.supervision.models import DossierFact, FlightSnapshot, IndicatorBucket
    from motcua.supervision.populations import scoped

    year = Period(datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    at = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)
    last_twelve = Period(datetime.date(2025, 7, 16), datetime.date(2026, 7, 15))
    inside = datetime.datetime(2026, 7, 15, 9, 30, tzinfo=datetime.UTC)
    facts, buckets = DossierFact.objects.count(), IndicatorBucket.objects.count()
    snapshots = FlightSnapshot.objects.count()
    print(f"\n{facts:,} facts, {buckets:,} monthly buckets, {snapshots:,} snapshot rows; "
          f"jit {jit}; PostgreSQL "
          f"{connection.cursor().connection.info.server_version}\n")  # fmt: skip
    print("| request | median ms | max ms | queries (last round, each) |\n|---|---:|---:|---:|")
    timed("city, one year (1/7/2025–30/6/2026)", lambda: report(year, Scope(), at=at), rounds)
    unit = Scope(unit_ids=frozenset({1}))
    timed("one ward, one year", lambda: report(year, unit, at=at), rounds)
    procedure = Scope(procedure_ids=frozenset({1}))
    timed("one procedure, one year", lambda: report(year, procedure, at=at), rounds)
    timed("city, 16/7/2025 to 15/7/2026 09:30 (part months at both ends)",
          lambda: report(last_twelve, Scope(), at=inside), rounds)  # fmt: skip
    to_date = Period(datetime.date(2025, 8, 1), datetime.date(2026, 7, 15))
    with clock_set_to(inside):  # the facts end there: as if the dashboard were opened then
        timed("city, 1/8/2025 to 15/7/2026 09:30 (the dashboard's default: the month under way)",
              lambda: report(to_date, Scope(), at=inside), rounds)  # fmt: skip
        begin, now = to_date.bounds(inside)
        timed("the same, per unit pair (the dashboard's units)",
              lambda: counts_by(Scope(), begin, now, ("receiving_unit_id", "deciding_unit_id")),
              rounds)  # fmt: skip
        timed("the same, its 12 months (the chart, the month under way last)",
              lambda: months_of(to_date, Scope(), inside), rounds)  # fmt: skip
    start, until = year.bounds(at)

    def every_fact() -> None:
        scoped(Scope()).filter(received__lt=until).aggregate(**count_expressions(start, until))

    def judged_one_by_one() -> None:  # the buckets, and the dossiers in flight row by row
        window = window_of(start, until)
        bucket_sums(Scope(), window)
        beyond_buckets(Scope(), start, until, window)

    timed("city, one year, in flight judged one by one (no snapshot)", judged_one_by_one, rounds)
    groupings = {
        "per unit pair (the dashboard's units)": ("receiving_unit_id", "deciding_unit_id"),
        "per field (the dashboard's fields)": ("field_id",),
        "per procedure (the dashboard's procedures)": ("procedure_id",),
    }
    for label, by in groupings.items():
        timed(
            f"city, one year, {label}", lambda by=by: counts_by(Scope(), start, until, by), rounds
        )

    timed("city, one year, its 12 months (the dashboard's chart)",
          lambda: months_of(year, Scope(), at), rounds)  # fmt: skip

    def every_fact_per_unit_pair() -> None:  # what the dashboard's units read before
        facts = scoped(Scope()).filter(received__lt=until)
        grouped = facts.values("receiving_unit_id", "deciding_unit_id")
        list(grouped.annotate(**count_expressions(start, until)).order_by())

    timed("city, one year, per unit pair from every fact (before)", every_fact_per_unit_pair,
          min(rounds, 2))  # fmt: skip
    timed("city, one year, every fact (before the buckets)", every_fact, min(rounds, 2))
    window = window_of(start, until)
    plans = {
        "The facts around the city's year": around(Scope(), start, until, window),
        "The buckets of the city's year": buckets_of(Scope(), window),
    }
    for title, query in plans.items():
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) AS a", params)
            print(f"\n{title}:\n" + "\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    options = arguments()
    os.environ["MOTCUA_DATABASE_URL"] = database_url(fresh=not options.reuse)
    os.environ.setdefault("MOTCUA_VAR_DIR", str(ROOT / "var" / "bench-rollup"))
    import django

    django.setup()
    if not options.reuse:
        facts_generate(options.facts)
    else:
        snapshots_ready()
    measure(options.rounds, options.jit)


if __name__ == "__main__":
    main()
