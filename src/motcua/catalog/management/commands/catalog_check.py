from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.selectors import catalog_gaps


class Command(BaseCommand):
    help = (
        "Bộ thủ tục Hà Nội: tiếp nhận được với thời hạn hay chưa, và vì sao / "
        "The Hà Nội set: receivable with a deadline or not, and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Liệt kê từng thủ tục / list each")

    def handle(self, *args: Any, **options: Any) -> None:
        report = catalog_gaps()
        write = self.stdout.write
        write(f"Bộ thủ tục Hà Nội / Hà Nội set: {report.total}")
        write(
            f"  Tiếp nhận được, có thời hạn / receivable with a deadline: {report.ready} "
            f"(hồ sơ quốc gia / national record {report.from_record}, "
            f"thời hạn cán bộ đã nhập / legal limit entered {report.from_legal_limit})"
        )
        write(
            f"  Tiếp nhận được, hỏi thời hạn khi tiếp nhận / receivable, the officer enters the "
            f"legal limit at reception: {report.ask_limit}"
        )
        write(f"  Còn thiếu / remaining gaps: {sum(report.gaps.values())}")
        for cause, count in report.gaps.most_common():
            write(f"    {count:5}  {cause}")
        outside = (
            ("cơ quan trung ương", "central agency", report.central_by_rule),
            ("cơ sở cung ứng dịch vụ, không qua một cửa", "service facility", report.facility_by_rule),
        )  # fmt: skip
        for vietnamese, english, by_rule in outside:
            write(
                f"Ngoài bộ Hà Nội: {vietnamese} theo quy tắc thẩm quyền / outside the set: "
                f"{english} by a competence rule: {sum(by_rule.values())}"
            )
            for key, count in by_rule.most_common():
                write(f"    {count:5}  {key}")
        write(f"Quy trình cần cấu hình / processes needing configuration: {report.processes}")
        for cause, count in report.process_problems.most_common():
            write(f"    {count:5}  {cause}")
        if options["list"]:
            for code, cause, name in report.listed:
                write(f"{code}\t{cause}\t{name[:80]}")
