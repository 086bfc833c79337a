from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.backup.database import BackupError
from motcua.backup.service import backup_create
from motcua.common.clock import now


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và tệp vào một tệp lưu trữ / Back up the database and the stored "
        "files into one archive (FILE.tar, or FILE.tar.gz compressed), while the app runs. "
        "Exit status: 0 written; 1 failed, no archive written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp lưu trữ / the archive to write")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            summary = backup_create(Path(file), at=now())
        except (BackupError, OSError) as error:
            raise CommandError(
                f"Sao lưu thất bại / backup failed: {error}", returncode=1
            ) from error
        rows = sum(summary.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu / backed up ({summary.vendor}): {len(summary.tables)} bảng / tables, "
                f"{rows} dòng / rows, {summary.files} tệp / files, {summary.roots} tệp gốc kiểm "
                f"toán / audit root files → {summary.path} ({summary.size:,} bytes)"
            )
        )
