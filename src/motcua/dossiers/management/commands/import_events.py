from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.dossiers.bulk.importer import BulkReport, events_import_fast
from motcua.dossiers.replay import events_replay


def lines_of(file: Path) -> Iterator[str]:
    with file.open(encoding="utf-8") as handle:
        yield from handle


def count_lines(file: Path) -> int:
    with file.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class Command(BaseCommand):
    help = "Nạp lại sự kiện hồ sơ từ JSON lines / Replay dossier events from a JSON-lines file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust-actors", action="store_true",
            help="Không kiểm tra quyền của người thực hiện (di chuyển dữ liệu cũ) / skip capability checks",
        )  # fmt: skip
        parser.add_argument(
            "--fast", action="store_true",
            help="Cùng quy tắc, ghi theo lô (COPY trên PostgreSQL) / same rules, rows written in batches",
        )  # fmt: skip
        parser.add_argument(
            "--batch-size", type=int, default=5000,
            help="--fast: số dòng mỗi lô / lines per batch (5000)",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, file: Path, trust_actors: bool, fast: bool, batch_size: int,
        **options: Any,
    ) -> None:  # fmt: skip
        if not file.is_file():
            raise CommandError(f"Không thấy tệp {file} / file not found", returncode=2)
        if batch_size < 1:
            raise CommandError("--batch-size phải ≥ 1 / must be at least 1", returncode=2)
        report = BulkReport()
        if fast:
            results = events_import_fast(
                lines_of(file), trust_actors=trust_actors, batch_size=batch_size, report=report
            )
        else:
            results = events_replay(lines_of(file), trust_actors=trust_actors)
        show = not options["no_progress"] and options["verbosity"] > 0
        total = count_lines(file) if show else None
        applied = rejected = 0
        for number, ref, reason in tqdm(
            results, total=total, unit="dòng", file=sys.stderr, disable=not show, smoothing=0.1
        ):
            if reason is None:
                applied += 1
            else:
                rejected += 1
                self.stdout.write(f"{number}: {ref or '-'}: {reason}")
        self.stderr.write(f"Áp dụng / applied {applied}, từ chối / rejected {rejected}")
        if fast:
            rate = report.lines / report.seconds if report.seconds else 0.0
            self.stderr.write(
                f"{report.events} sự kiện ghi theo lô / events written in batches; "
                f"{report.batches} lô / batches ({report.replayed} nạp lại từng dòng / replayed "
                f"line by line); {report.seconds:.1f} s, {rate:,.0f} dòng/giây / lines/s"
            )
        if rejected:
            raise CommandError(f"{rejected} dòng bị từ chối / line(s) rejected", returncode=1)
