from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from motcua.supervision.docs import indicators_markdown
from motcua.supervision.query import QueryError, query_parse, query_report
from motcua.supervision.registry import GROUPS, INDICATORS
from motcua.supervision.rollup import catch_up, rebuild


class Command(BaseCommand):
    help = (
        "Chỉ số phục vụ theo Quyết định 766/QĐ-TTg / Decision 766 service indicators "
        "(e.g. `motcua indicators --from 2026-01-01 --to 2026-12-31 --unit hn-ubnd-phuong-hoan-kiem`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="Từ ngày / from (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="Đến ngày, tính cả ngày đó / to (included)")
        parser.add_argument("--unit", help="Mã đơn vị (tính cả đơn vị cấp dưới) / unit code")
        parser.add_argument("--procedure", help="Mã thủ tục / procedure code")
        parser.add_argument("--field", help="Mã lĩnh vực / field code")
        parser.add_argument("--channel", help="Kênh nộp / channel")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument(
            "--rebuild", action="store_true",
            help="Dựng lại bảng tổng hợp từ nhật ký sự kiện / rebuild the rollup from the events",
        )  # fmt: skip
        parser.add_argument(
            "--docs", metavar="FILE",
            help="Ghi trang mô tả chỉ số (Markdown) / write the reference page, e.g. docs/indicators.md",
        )  # fmt: skip
        parser.add_argument(
            "--catch-up", action="store_true",
            help="Chỉ cập nhật bảng tổng hợp / only bring the rollup up to date",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["docs"]:
            with translation.override("vi"):
                Path(options["docs"]).write_text(indicators_markdown(), encoding="utf-8")
            self.stdout.write(options["docs"])
            return
        if options["rebuild"]:
            folded = rebuild()
            self.stdout.write(f"Đã dựng lại / rebuilt: {folded} hồ sơ / dossiers")
            if not options["start"] and not options["end"]:
                return
        elif options["catch_up"]:
            done = catch_up()
            self.stdout.write(f"Sự kiện / events: {done.events}; hồ sơ / dossiers: {done.folded}")
            return
        try:
            query = query_parse(
                start=options["start"], end=options["end"], unit=options["unit"],
                procedure=options["procedure"], field=options["field"], channel=options["channel"],
            )  # fmt: skip
        except QueryError as error:
            raise CommandError(str(error), returncode=2) from None
        answer = query_report(query)
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=1))
        else:
            self.table(answer)

    def table(self, answer: dict[str, Any]) -> None:
        names = {i.code: i.name_vi for i in INDICATORS}
        scope = answer["unit"] or "toàn bộ / all units"
        self.stdout.write(f"Kỳ / period {answer['from']} – {answer['to']}; đơn vị / unit: {scope}")
        for code, row in answer["indicators"].items():
            value = "N/A" if row["value"] is None else f"{row['value']:.2f}"
            counts = "" if row["den"] is None else f"  ({row['num']}/{row['den']})"
            self.stdout.write(f"{code:4} {names.get(code, '')[:52]:52} {value:>8}{counts}")
        for group in GROUPS:
            got = answer["groups"][group.code]
            score = "N/A" if got["score"] is None else f"{got['score']:.2f}"
            self.stdout.write(
                f"Nhóm / group {group.code} {group.name_vi:34} {score:>8} / {got['max']:g}"
            )
        total = "N/A" if answer["total"] is None else f"{answer['total']:.2f}"
        self.stdout.write(
            f"Tổng điểm / total {total} / {answer['total_counted_max']:g} (tối đa / max 100)"
        )
