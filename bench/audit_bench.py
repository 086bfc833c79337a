"""Time `motcua audit publish`, `motcua audit verify` and `motcua export-dossiers` over many
sealed dossiers.

    MOTCUA_VAR_DIR=<fresh var dir> .venv/bin/python bench/audit_bench.py --dossiers 100000
    MOTCUA_VAR_DIR=… MOTCUA_DATABASE_URL=postgres://… .venv/bin/python bench/audit_bench.py \
        --dossiers 0 --workers 2     # the dossiers already there (e.g. from `motcua demo-data`)

Prepares the database (migrate, units, catalog) if needed, then writes N dossiers of 6 events
each straight into the tables (sealed by the same ``event_seal`` the kernel uses: generating them
through the services would take the bench's whole budget), publishes a root and verifies
against it (``--workers`` processes, PostgreSQL), then exports every dossier, printing dossiers
per second for each.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from motcua.catalog.models import Procedure  # noqa: E402
from motcua.common.clock import now  # noqa: E402
from motcua.dossiers.audit import event_seal  # noqa: E402
from motcua.dossiers.audit_roots import audit_publish, audit_scan  # noqa: E402
from motcua.dossiers.bulk.export import dossiers_export  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402

ICT = datetime.timezone(datetime.timedelta(hours=7))
ACTIONS = [
    ("submit", "", "new"),
    ("receive", "new", "received"),
    ("assign", "received", "processing"),
    ("forward", "processing", "processing"),
    ("approve", "processing", "processed"),
    ("return_result", "processed", "returned"),
]


def generate(count: int) -> None:
    unit = Unit.objects.get(code="hn-cong-an-phuong-hoan-kiem")
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    assert procedure is not None
    start = Dossier.objects.count()
    for offset in range(0, count, 2000):
        dossiers, events = [], []
        for number in range(start + offset, start + min(offset + 2000, count)):
            day = datetime.datetime(2025, 7, 1, 8, 30, tzinfo=ICT) + datetime.timedelta(
                minutes=number
            )
            dossier = Dossier(
                ref=f"AUDIT-{number:07d}", code=f"BENCH-{number:07d}", procedure=procedure,
                procedure_version=procedure.version, applicant_name=f"Công dân {number}",
                applicant_id_number=f"001090{number % 1000000:06d}", channel="counter",
                receiving_unit=unit, deciding_unit=unit, status="returned", submitted_at=day,
                received_at=day, due_at=day + datetime.timedelta(days=7),
                statutory_due_at=day + datetime.timedelta(days=7), decision="approved",
                finished_at=day + datetime.timedelta(days=1), version=len(ACTIONS),
            )  # fmt: skip
            previous = ""
            for seq, (action, before, after) in enumerate(ACTIONS, start=1):
                event = DossierEvent(
                    dossier=dossier, seq=seq, at=day + datetime.timedelta(hours=seq),
                    actor_name="bench", unit_id=unit.pk, action=action, from_status=before,
                    to_status=after, reason="Thẩm định xong" if action == "forward" else "",
                    payload={"channel": "counter"} if seq == 1 else {}, prev_hash=previous,
                )  # fmt: skip
                event_seal(dossier, event)
                previous = event.hash
                events.append(event)
            dossier.last_event_hash = previous
            dossiers.append(dossier)
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers)
            for event in events:
                event.dossier_id = event.dossier.pk
            DossierEvent.objects.bulk_create(events, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000, help="at least this many")
    parser.add_argument("--workers", type=int, default=1, help="processes for verify")
    options = parser.parse_args()
    wanted = options.dossiers
    with open(os.devnull, "w") as quiet:
        call_command("serve", "--prepare-only", verbosity=0, stdout=quiet)
    missing = wanted - Dossier.objects.count()
    if missing > 0:
        began = time.perf_counter()
        generate(missing)
        print(f"generated {missing:,} dossiers in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    root, report = audit_publish(at=now(), reason="bench", workers=options.workers)
    seconds = time.perf_counter() - began
    print(
        f"publish: root #{root.number}, {report.dossiers:,} dossiers, {report.events:,} events in "
        f"{seconds:.1f} s ({report.dossiers / seconds:,.0f} dossiers/s)"
    )
    for workers in sorted({1, options.workers}):
        began = time.perf_counter()
        report = audit_scan(workers=workers)
        seconds = time.perf_counter() - began
        print(
            f"verify ({workers} process{'es' if workers > 1 else ''}): {report.dossiers:,} "
            f"dossiers, {report.events:,} events, "
            f"{len(report.problems) + len(report.root_problems)} problems in {seconds:.1f} s "
            f"({report.dossiers / seconds:,.0f} dossiers/s)"
        )
    began = time.perf_counter()
    with open(os.devnull, "w") as sink:
        exported = dossiers_export(sink, at=now())
    seconds = time.perf_counter() - began
    print(
        f"export: {exported:,} dossiers in {seconds:.1f} s ({exported / seconds:,.0f} dossiers/s)"
    )


if __name__ == "__main__":
    main()
