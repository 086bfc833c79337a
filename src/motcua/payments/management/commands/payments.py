from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.common.clock import today
from motcua.common.errors import DomainError
from motcua.payments.reconcile import payments_reconcile


class Command(BaseCommand):
    help = (
        "Đối soát thanh toán trực tuyến / Payments: `reconcile --date yyyy-mm-dd` compares the "
        "gateway's payments of a day with ours (default: yesterday); exit status 1 on a difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        reconcile = sub.add_parser("reconcile", help="gateway vs our records, one day")
        reconcile.add_argument("--date", default="", help="yyyy-mm-dd (Hà Nội); default yesterday")

    def handle(self, *args: Any, what: str, date: str = "", **options: Any) -> None:
        try:
            day = (
                datetime.date.fromisoformat(date) if date else today() - datetime.timedelta(days=1)
            )
        except ValueError as error:
            raise CommandError(f"--date: yyyy-mm-dd expected, got {date!r}") from error
        try:
            result = payments_reconcile(date=day)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"{day.isoformat()}: gateway {result.gateway_count}, ours {result.ours_count}, "
            f"matched {result.matched}, settled now {len(result.applied)}, "
            f"differences {len(result.differences)}"
        )
        for line in result.applied:
            self.stdout.write(f"  settled: {line}")
        for line in result.differences:
            self.stdout.write(f"  DIFFERENCE {line}")
        if not result.clean:
            raise SystemExit(1)
