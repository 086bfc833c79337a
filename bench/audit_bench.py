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
from sealed import sealed_dossiers_write  # noqa: E402

from motcua.common.clock import now  # noqa: E402
from motcua.dossiers.audit_roots import audit_publish, audit_scan  # noqa: E402
from motcua.dossiers.bulk.export import dossiers_export  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402


def generate(count: int) -> None:
    sealed_dossiers_write(
        count, start=Dossier.objects.count(), unit_code="hn-cong-an-phuong-hoan-kiem",
        ref_of=lambda n: f"AUDIT-{n:07d}", code_of=lambda n: f"BENCH-{n:07d}",
    )  # fmt: skip


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
