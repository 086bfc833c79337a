from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from motcua.common.clock import now
from motcua.dossiers.bulk.export import dossiers_count, dossiers_export


class Command(BaseCommand):
    help = "Xuất hồ sơ dạng JSON lines / Export dossiers as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="Mã đơn vị tiếp nhận / receiving unit code")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1,
            help="số tiến trình (PostgreSQL) / processes (PostgreSQL; default: one per core)",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, unit: str | None, no_progress: bool, workers: int, **options: Any
    ) -> None:
        show = not no_progress and options["verbosity"] > 0
        began = time.perf_counter()
        with tqdm(
            total=dossiers_count(unit) if show else None, unit="hồ sơ", file=sys.stderr,
            disable=not show,
        ) as bar:  # fmt: skip
            count = dossiers_export(
                self.stdout, at=now(), unit=unit, workers=workers, progress=bar.update
            )
        seconds = time.perf_counter() - began
        if show:
            self.stderr.write(
                f"Đã xuất / exported {count} hồ sơ / dossiers ({seconds:.1f} s, "
                f"{count / seconds if seconds else 0:,.0f} hồ sơ/giây / dossiers/s)"
            )
