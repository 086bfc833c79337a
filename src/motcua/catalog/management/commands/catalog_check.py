from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.selectors import processes_needing_configuration


class Command(BaseCommand):
    help = "Thủ tục cần cấu hình quy trình / Procedures whose process needs configuration, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Liệt kê từng thủ tục / list each")

    def handle(self, *args: Any, **options: Any) -> None:
        pending = list(processes_needing_configuration())
        reasons = Counter(p.problem.split(":")[0] for p in pending)
        self.stdout.write(f"Cần cấu hình / need configuration: {len(pending)}")
        for reason, count in reasons.most_common():
            self.stdout.write(f"  {count:5}  {reason}")
        if options["list"]:
            for process in pending:
                self.stdout.write(
                    f"{process.procedure.code}\t{process.problem}\t{process.procedure.name[:80]}"
                )
