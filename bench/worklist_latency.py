"""The worklist's latency at a stated load: requests sent at fixed rates (open loop), p95 read.

    .venv/bin/python bench/worklist_latency.py --database motcua_1m_c --rates 10,20,40

The issue's goal for the worklist is a latency (p95 ≤ 50 ms for every tab of a ward with
100,000 dossiers). ``city_bench.py`` drives 16 connections that send again as soon as they are
answered: it finds how many requests a second two cores serve, and its p95 is then the time a
request waits behind fifteen others, set by the number of connections, not by the worklist. A
latency is read at a load: here each tab of the big ward's reception officer and leader is asked
at each of ``--rates`` requests a second, on schedule whether or not earlier ones were answered,
each timed from its scheduled moment (``load.py``). The web app is served as in ``city_bench``
(gunicorn, 3 sync workers) on the same database, which must already be filled by it.

How many requests a second a ward sends: a ward of 100,000 dossiers a year receives about 400 a
working day; even 40 officers each reloading their list every ten seconds send 4 a second.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from city_bench import (  # noqa: E402
    ROOT,
    SOURCE,
    Server,
    Writer,
    bench_fixtures,
    database_ready,
    describe,
    django_ready,
    marks_folded,
    preflight,
)
from load import Request, load_run  # noqa: E402


def main() -> None:
    args = arguments()
    var = django_ready(args)
    facts = database_ready(args)
    print(describe(facts), flush=True)
    fixtures = bench_fixtures(creation_units=1)
    server = Server("motcua.wsgi:application", args.port, SOURCE, "/readyz")
    rates = [float(rate) for rate in args.rates.split(",")]
    rows: list[dict[str, Any]] = []
    server.start(var)
    try:
        print("\n| officer | tab | rate /s | sent /s | p50 / p95 / p99 / max ms | errors | "
              "CPU ms/req (web + db) |\n|---|---|---:|---:|---|---:|---:|", flush=True)  # fmt: skip
        for officer, token in (("reception", fixtures.reception_token),
                               ("leader", fixtures.leader_token)):  # fmt: skip
            for tab in tabs(args.tabs):
                request = Request(
                    "GET", f"/api/v1/dossiers?tab={tab}", (("Authorization", f"Bearer {token}"),)
                )
                marks_folded()
                preflight(server, request)
                for rate in rates:
                    rows.append(measured(args, server, request, officer, tab, rate, fixtures))
                    print(line(rows[-1]), flush=True)
        rss = server.worker_rss_mb()
    finally:
        server.stop()
    print(f"web workers RSS: {', '.join(f'{s:.0f}' for s in rss)} MB")
    out = var / f"worklist-latency-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(
        {"facts": facts, "rss_mb": rss, "args": vars(args), "rows": rows}, indent=2, default=str
    ))  # fmt: skip
    print(f"figures: {out.relative_to(ROOT)}")


def measured(
    args: argparse.Namespace, server: Server, request: Request, officer: str, tab: str,
    rate: float, fixtures: Any,
) -> dict[str, Any]:  # fmt: skip
    """One tab at one rate, with ``--writes-per-second`` receptions at the ward meanwhile."""
    creation = Request(
        "POST", "/api/v1/dossiers",
        (("Authorization", f"Bearer {fixtures.creation_token}"), ("Content-Type", "application/json")),
        json.dumps({
            "unit": fixtures.creation_units[0], "procedure": "1.004222", "channel": "counter",
            "applicant": {"name": "Nguyễn Văn Đo Tải", "id_number": "001090012345"},
        }).encode(), expect=201,
    )  # fmt: skip
    writer = Writer(server, creation, args.writes_per_second)
    writer.start()
    try:
        result = load_run(
            server.base, [request], seconds=args.seconds, warmup=args.warmup, rate=rate,
            probe=server.cpu_probe,
        )  # fmt: skip
    finally:
        writer.stop()
    web, db = result.probed
    served = max(result.requests, 1)
    return {
        "officer": officer, "tab": tab, "rate": rate, "sent": result.rate,
        "p50": result.percentile(50), "p95": result.percentile(95),
        "p99": result.percentile(99), "max": result.percentile(100), "errors": result.errors,
        "statuses": dict(result.statuses), "web_cpu_ms": 1000 * web / served,
        "db_cpu_ms": 1000 * db / served, "writes": writer.done, "writes_failed": writer.failed,
    }  # fmt: skip


def line(row: dict[str, Any]) -> str:
    return (
        f"| {row['officer']} | {row['tab']} | {row['rate']:g} | {row['sent']:.1f} | "
        f"{row['p50']:.0f} / {row['p95']:.0f} / {row['p99']:.0f} / {row['max']:.0f} | "
        f"{row['errors']} | {row['web_cpu_ms']:.1f} + {row['db_cpu_ms']:.1f} |"
    )


def tabs(wanted: str) -> list[str]:
    from motcua.dossiers.selectors import TABS

    keys = [key for key, _label in TABS]
    chosen = [key.strip() for key in wanted.split(",") if key.strip()]
    return [key for key in keys if key in chosen] if chosen else keys


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="use this database, not var/bench-pg")
    parser.add_argument("--database", default="postgres", help="database name in var/bench-pg")
    parser.add_argument("--rates", default="10,20,40", help="requests a second, comma-separated")
    parser.add_argument("--tabs", default="", help="comma-separated tab keys (default: all)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--writes-per-second", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=18_300)
    parser.add_argument("--src", default="", help="the src folder of the code to measure")
    args = parser.parse_args()
    args.reuse = True  # the database is city_bench's, filled already
    return args


if __name__ == "__main__":
    main()
