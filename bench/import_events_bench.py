"""Replay a large legacy history through `motcua import-events` and time it.

    MOTCUA_VAR_DIR=<fresh var dir> .venv/bin/python bench/import_events_bench.py --events 100000

Prepares the database (migrate, units, catalog, demo accounts) if needed, generates realistic
legacy histories for permanent-residence dossiers at the ward police of Hoàn Kiếm (10 events per
dossier, one in four with a supplement request, one in ten rejected), replays them with the real
command, then verifies every hash chain.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from motcua.dossiers.audit import audit_verify  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402

ICT = datetime.timezone(datetime.timedelta(hours=7))
UNIT = "hn-cong-an-phuong-hoan-kiem"
R, S, H, L = (f"ca-hoankiem.{r}" for r in ("tiepnhan", "chuyenvien", "truongphong", "lanhdao"))


def history(number: int, rng: random.Random) -> list[dict]:
    ref = f"BENCH-{number:07d}"
    day = datetime.datetime(2025, 7, 1, 8, 30, tzinfo=ICT) + datetime.timedelta(days=number % 500)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)

    def event(hours: float, action: str, actor: str, **extra: object) -> dict:
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
    else:
        events += [
            event(1, "forward", S, reason="Thẩm định xong"),
            event(3, "forward", S, reason="Trình ký"),
        ]
    if rng.random() < 0.1:
        events += [
            event(24, "reject", L, reason="Không đủ điều kiện"),
            event(30, "return_result", R),
        ]
    else:
        events += [event(24, "approve", L), event(25, "complete", S), event(48, "return_result", R)]
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    target = parser.parse_args().events
    call_command("serve", "--prepare-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    rng = random.Random(2026)
    lines: list[str] = []
    number = Dossier.objects.count()
    while len(lines) < target:
        lines += [json.dumps(e, ensure_ascii=False) for e in history(number, rng)]
        number += 1
    with tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", delete=False, encoding="utf-8"
    ) as handle:
        handle.write("\n".join(lines[:target]) + "\n")
    before = DossierEvent.objects.count()
    began = time.perf_counter()
    try:
        call_command("import_events", handle.name, "--no-progress", verbosity=0)
    except SystemExit:
        pass
    except Exception as error:  # rejected lines are reported, the import goes on
        print("import finished with:", error)
    elapsed = time.perf_counter() - began
    written = DossierEvent.objects.count() - before
    print(
        f"{target:,} lines replayed in {elapsed:.1f} s: {written:,} events written, "
        f"{target / elapsed:,.0f} lines/s"
    )
    began = time.perf_counter()
    checked, problems = audit_verify()
    print(
        f"audit verify: {checked:,} dossiers, {len(problems)} problems, {time.perf_counter() - began:.1f} s"
    )


if __name__ == "__main__":
    main()
