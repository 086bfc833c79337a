from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.backup.orphans import orphan_grace, orphans_sweep
from motcua.common.clock import now


class Command(BaseCommand):
    help = (
        "Xóa tệp không còn hồ sơ nào dùng / Remove stored files that no row names (left by a "
        "process killed mid-write), older than the grace period (MOTCUA_ORPHAN_GRACE_HOURS, 6). "
        "The scheduler runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-hours", type=float, help="giờ / hours (default: the setting)")
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ liệt kê / only list what would go"
        )

    def handle(self, *args: Any, grace_hours: float | None, dry_run: bool, **options: Any) -> None:
        grace = orphan_grace() if grace_hours is None else datetime.timedelta(hours=grace_hours)
        report = orphans_sweep(at=now(), grace=grace, dry_run=dry_run)
        for name in report.removed:
            self.stdout.write(("would remove " if dry_run else "removed ") + name)
        verb = "sẽ xóa / would remove" if dry_run else "đã xóa / removed"
        self.stdout.write(
            f"{len(report.removed)} {verb}; {report.too_young} tệp mới, giữ lại / newer than the "
            f"grace period, kept; {report.examined} tệp không có hồ sơ / unreferenced files seen"
        )
