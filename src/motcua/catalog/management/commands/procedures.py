from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.search import Filters
from motcua.catalog.selectors import procedure_search


class Command(BaseCommand):
    help = 'Tìm thủ tục / Search procedures (e.g. `motcua procedures "dang ky khai sinh"`).'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="")
        parser.add_argument(
            "--all", action="store_true", help="Cả thủ tục ngoài bộ Hà Nội / all records"
        )
        parser.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, query: str, limit: int, **options: Any) -> None:
        filters = Filters(scope="all" if options["all"] else "hanoi")
        page = procedure_search(query=query, filters=filters, page_size=max(1, limit))
        for procedure in page.items:
            self.stdout.write(f"{procedure.code:12} {procedure.name[:100]}")
        self.stdout.write(f"Tổng / total: {page.total}")
