from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.common.clock import VIETNAM, now
from motcua.dossiers.partitions import (
    TABLES,
    Partition,
    PartitionsUnavailable,
    partitions_ensure,
    partitions_list,
)

UNAVAILABLE = (
    "Chỉ có phân vùng trên PostgreSQL (đã chạy migrate) / partitions exist only on PostgreSQL, "
    "after migrate (docs/decisions/0022-partitions-by-id-range.md)"
)


def moment_parse(text: str) -> datetime.datetime:
    try:
        day = datetime.datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        raise CommandError(
            f"--at: ngày không hợp lệ “{text}” (dd/mm/yyyy) / not a date", returncode=2
        ) from None
    return day.replace(tzinfo=VIETNAM)


def estimate(rows: int) -> str:
    return "?" if rows < 0 else f"≈{rows:,}"


class Command(BaseCommand):
    help = (
        "Phân vùng hồ sơ theo kỳ / Partitions of dossiers, events and steps by period "
        "(PostgreSQL): list them, or --ensure this period's and the next one's (decision 0022)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ensure", action="store_true",
            help="tạo phân vùng kỳ này và kỳ tới, mở kỳ đã bắt đầu / create this period's and "
            "the next period's partitions, start the period that has begun (idempotent)",
        )  # fmt: skip
        parser.add_argument(
            "--at", help="như thể vào ngày / as if on this day (dd/mm/yyyy, 00:00; with --ensure)"
        )

    def handle(self, *args: Any, ensure: bool, at: str | None, **options: Any) -> None:
        moment = moment_parse(at) if at else now()
        try:
            if ensure:
                done = partitions_ensure(at=moment)
                for line in done or ["Đã đủ phân vùng / partitions already in place"]:
                    self.stdout.write(line)
            self.table(partitions_list())
        except PartitionsUnavailable:
            raise CommandError(UNAVAILABLE, returncode=1) from None

    def table(self, partitions: list[Partition]) -> None:
        self.stdout.write(
            f"{'kỳ/period':<10} {'từ ngày/starts':<14} {'id từ/from':>16} {'id đến/to':>16} "
            f"{'dùng từ/in use since':<20} {'hồ sơ':>12} {'sự kiện':>12} {'bước':>12}"
        )
        for p in partitions:
            since = f"{p.opened_at.astimezone(VIETNAM):%d/%m/%Y %H:%M}" if p.opened_at else "chưa / not yet"  # fmt: skip
            counts = " ".join(f"{estimate(p.rows[t]):>12}" for t in TABLES)
            self.stdout.write(
                f"{p.period:<10} {p.starts_on:%d/%m/%Y}     {p.low:>16,} {p.high - 1:>16,} "
                f"{since:<20} {counts}"
            )
