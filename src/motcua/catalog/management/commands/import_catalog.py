from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.catalog.importer import catalog_import
from motcua.catalog.processes import default_processes_ensure, default_processes_refresh
from motcua.catalog.services import popularity_seed, synonyms_retire_seeded


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục quốc gia / Import the national procedure records (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        folder = Path(settings.MOTCUA_PROCEDURES_DIR)
        parser.add_argument("--catalog", type=Path, default=folder / "catalog.jsonl")
        parser.add_argument("--details", type=Path, default=folder / "details.jsonl")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, catalog: Path, details: Path, **options: Any) -> None:
        for path in (catalog, details):
            if not path.is_file():
                raise CommandError(f"Không thấy tệp {path} / file not found: {path}", returncode=2)

        def progress(items: Iterable[Any], total: int) -> Iterable[Any]:
            if options["no_progress"] or options["verbosity"] == 0:
                return items
            return tqdm(items, total=total, desc="Thủ tục / procedures", unit="tt", file=sys.stderr)

        report = catalog_import(catalog=catalog, details=details, progress=progress)
        synonyms, popular = synonyms_retire_seeded(), popularity_seed()
        active, needs = default_processes_ensure()
        active += default_processes_refresh()
        self.stdout.write(
            f"Đã đọc / read {report.read} thủ tục (chi tiết / detailed: {report.details}); "
            f"tạo mới / created {report.created}, cập nhật / updated {report.updated}, "
            f"không đổi / unchanged {report.unchanged}"
        )
        self.stdout.write(f"Bộ thủ tục Hà Nội / Hà Nội set: {report.hanoi_set}")
        self.stdout.write(
            f"Quy trình mặc định mới / new default processes: {active} dùng được / usable, "
            f"{needs} cần cấu hình / need configuration"
        )
        if synonyms or popular:
            self.stdout.write(
                f"Từ đồng nghĩa cũ đã chuyển sang search_terms / seeded synonyms retired: {synonyms}; "
                f"độ phổ biến / popularity set: {popular}"
            )
        self.stdout.write(f"Bỏ qua / skipped lines: {len(report.skipped)}")
        for line in report.skipped[:20]:
            self.stdout.write(f"  {line.source}:{line.line}: {line.reason}")
        self.stdout.write(f"Thiếu thông tin / incomplete records: {report.incomplete}")
        for reason, count in report.gaps.most_common():
            examples = ", ".join(report.examples.get(reason, []))
            self.stdout.write(f"  {count:5}  {reason}  (vd / e.g. {examples})")
