from __future__ import annotations

import csv
import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.organizations.constants import UnitKind
from motcua.organizations.selectors import unit_list


def parse_day(value: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CommandError(
        f"Ngày không hợp lệ {value!r} (dd/mm/yyyy hoặc yyyy-mm-dd) / invalid date {value!r}",
        returncode=2,
    )


class Command(BaseCommand):
    help = "Liệt kê đơn vị / List units (e.g. `motcua units --kind ward`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", help="Loại / kind: " + ", ".join(UnitKind.values))
        parser.add_argument("--on", help="Có hiệu lực vào ngày / in existence on (default: today)")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, kind: str | None, on: str | None, **options: Any) -> None:
        if kind and kind not in UnitKind.values:
            raise CommandError(
                f"Loại đơn vị không biết {kind!r} / unknown kind. "
                f"Chọn / choose: {', '.join(UnitKind.values)}",
                returncode=2,
            )
        units = list(unit_list(kind=kind, on=parse_day(on) if on else None))
        rows = [
            {
                "code": unit.code,
                "official_code": unit.official_code,
                "kind": unit.kind,
                "name": unit.name,
                "parent": unit.parent.code if unit.parent else "",
            }
            for unit in units
        ]
        self.write_rows(rows, options["format"])

    def write_rows(self, rows: list[dict[str, str]], output: str) -> None:
        if output == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if output == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]) if rows else ["code"])
            writer.writeheader()
            writer.writerows(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['official_code']:6} {row['code']:40} {row['name']}")
        self.stdout.write(f"Tổng / total: {len(rows)}")
