from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.organizations.services import unit_tree_load
from motcua.organizations.unit_data import UnitDataError


class Command(BaseCommand):
    help = "Nạp/nạp lại cây đơn vị từ tệp YAML / Load or reload the unit tree from the YAML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="Tệp dữ liệu / data file (default: data/hanoi_units.yaml)",
        )

    def handle(self, *args: Any, path: Path | None, **options: Any) -> None:
        source = path or Path(settings.MOTCUA_UNITS_FILE)
        try:
            report = unit_tree_load(path=source)
        except UnitDataError as error:
            for line in error.problems:
                self.stderr.write(f"  - {line}")
            raise CommandError(
                f"Không nạp được {len(error.problems)} lỗi, chưa ghi gì vào CSDL / "
                f"Not loaded: {len(error.problems)} problem(s), nothing was written.",
                returncode=2,
            ) from error
        for warning in report.warnings:
            self.stderr.write(f"  ! {warning}")
        self.stdout.write(
            f"Đơn vị từ tệp / units from file: {report.from_file}; "
            f"suy ra / derived: {report.derived}; kế thừa / successions: {report.successions}"
        )
        for kind, count in sorted(report.by_kind.items()):
            self.stdout.write(f"  {kind:24} {count:5}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Tạo mới / created {report.created}, cập nhật / updated {report.updated}, "
                f"không đổi / unchanged {report.unchanged}"
            )
        )
        if report.not_in_file:
            self.stdout.write(
                "Có trong CSDL nhưng không còn trong tệp (giữ nguyên) / in the database but no "
                f"longer in the file (kept): {', '.join(report.not_in_file)}"
            )
