"""Replay a large history through `motcua import-events` and time it.

    MOTCUA_VAR_DIR=<fresh var dir> .venv/bin/python bench/import_events_bench.py --events 100000
    MOTCUA_VAR_DIR=… MOTCUA_DATABASE_URL=postgres://… .venv/bin/python bench/import_events_bench.py \
        --events 200000 --fast --source demo --order time

Prepares the database (migrate, units, catalog, demo accounts) if needed, writes the lines to a
file, replays them with the real command (`--fast`: the batch path of docs/decisions/0016), then
verifies the hash chains of the dossiers it wrote. Sources:

- ``legacy`` (default): permanent-residence dossiers at the ward police of Hoàn Kiếm (submit,
  receive, assign, then a supplement request and its reply or a hand-over to the signing step,
  then approve and return, or reject and return);
- ``demo``: the histories of `motcua demo-data` (126 wards, 50 procedures, its shares).

``--order dossier`` keeps each dossier's lines together (what `demo-data` feeds); ``--order time``
sorts all lines by time, as a legacy export would be, so histories spread over many batches.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from motcua.dossiers.audit import audit_verify  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402

ICT = datetime.timezone(datetime.timedelta(hours=7))
UNIT = "hn-cong-an-phuong-hoan-kiem"
R, S, H, L = (f"ca-hoankiem.{r}" for r in ("tiepnhan", "chuyenvien", "truongphong", "lanhdao"))


def history(number: int, rng: random.Random) -> list[dict[str, Any]]:
    ref = f"BENCH-{number:07d}"
    day = datetime.datetime(2025, 7, 1, 8, 30, tzinfo=ICT) + datetime.timedelta(days=number % 500)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)

    def event(hours: float, action: str, actor: str, **extra: object) -> dict[str, Any]:
        return {
            "dossier": ref,
            "at": (day + datetime.timedelta(hours=hours)).isoformat(),
            "action": action,
            "actor": actor,
            **extra,
        }

    events = [
        event(0, "submit", R, procedure="1.004222", unit=UNIT, channel="counter",
              applicant={"name": f"Công dân {number}", "id_number": f"001090{number % 1000000:06d}"}),
        event(0.1, "receive", R),
        event(0.5, "assign", H, assignee=S),
    ]  # fmt: skip
    if rng.random() < 0.25:
        events += [
            event(1, "request_supplement", S, reason="Thiếu giấy tờ"),
            event(3, "submit_supplement", R),
        ]
    events.append(event(4, "forward", S, reason="Thẩm định xong, trình ký"))
    if rng.random() < 0.1:
        events += [
            event(24, "reject", L, reason="Không đủ điều kiện"),
            event(30, "return_result", R),
        ]
    else:
        events += [event(24, "approve", L), event(48, "return_result", R)]
    return events


def legacy_lines(target: int) -> list[dict[str, Any]]:
    rng = random.Random(2026)
    lines: list[dict[str, Any]] = []
    number = Dossier.objects.count()
    while len(lines) < target:
        lines += history(number, rng)
        number += 1
    return lines[:target]


def demo_lines(target: int, seed: int) -> list[dict[str, Any]]:
    from motcua.common.clock import today
    from motcua.dossiers.demo.histories import histories
    from motcua.dossiers.demo.plan import plan_make

    plan = plan_make(seed=seed)
    last = today()
    first = last - datetime.timedelta(days=364)
    until = datetime.datetime.combine(last, datetime.time(0), ICT)
    start = Dossier.objects.filter(ref__startswith=f"DL{seed}-").count()
    lines: list[dict[str, Any]] = []
    count = target // 5 + 1  # about 5.6 lines per dossier
    for line in histories(
        plan, count=count, seed=seed, first=first, last=last, until=until, start_number=start
    ):
        lines.append(line)
        if len(lines) == target:
            break
    return lines


def cpu_seconds() -> float:
    """This process's and its ended children's (the import's other processes)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000, help="lines to replay")
    parser.add_argument("--fast", action="store_true", help="import-events --fast")
    parser.add_argument("--source", choices=["legacy", "demo"], default="legacy")
    parser.add_argument("--order", choices=["dossier", "time"], default="dossier")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="import-events --fast --workers")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the import into var/profile-import.prof"
    )
    parser.add_argument(
        "--reuse", action="store_true",
        help="the database is prepared already (a bench volume: no migrate, no audit rechain)",
    )  # fmt: skip
    options = parser.parse_args()
    if not options.reuse:
        call_command("serve", "--prepare-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    if options.source == "demo":
        lines = demo_lines(options.events, options.seed)
    else:
        lines = legacy_lines(options.events)
    if options.order == "time":
        lines.sort(key=lambda line: datetime.datetime.fromisoformat(line["at"]))
    with tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", delete=False, encoding="utf-8"
    ) as handle:
        handle.write("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    before = DossierEvent.objects.count()
    last_before = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    command = ["import_events", handle.name, "--no-progress"]
    if options.fast:
        command += ["--fast", "--batch-size", str(options.batch_size)]
        command += ["--workers", str(options.workers)]
    profiler = cProfile.Profile() if options.profile else None
    began, cpu = time.perf_counter(), cpu_seconds()
    if profiler:
        profiler.enable()
    try:
        call_command(*command, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    except Exception as error:  # rejected lines are reported, the import goes on
        print("import finished with:", error)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(settings.VAR_DIR / "profile-import.prof"))
    elapsed, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    written = DossierEvent.objects.count() - before
    print(
        f"{len(lines):,} lines ({options.source}, by {options.order}"
        f"{', fast' if options.fast else ''}) in {elapsed:.1f} s: {written:,} events written, "
        f"{len(lines) / elapsed:,.0f} lines/s, {written / elapsed:,.0f} events/s; "
        f"client CPU {cpu / len(lines) * 1e6:,.0f} µs per line"
    )
    began = time.perf_counter()
    # The dossiers this run wrote (all of a 10 M database would take minutes).
    checked, problems = audit_verify(Dossier.objects.filter(pk__gt=last_before))
    print(
        f"audit verify: {checked:,} dossiers, {len(problems)} problems, {time.perf_counter() - began:.1f} s"
    )


if __name__ == "__main__":
    main()
