from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.integrations.dvcqg.client import portal, sync_enabled
from motcua.sync.delivery import deliver_due
from motcua.sync.models import SyncState
from motcua.sync.reports import reconcile, status_by_unit

STATES = (SyncState.PENDING, SyncState.WAITING, SyncState.DELIVERED, SyncState.DEAD)


def day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Ngày không hợp lệ / invalid date {text!r} (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Đồng bộ hồ sơ lên Cổng DVCQG / National portal sync: `status` (pending, delivered, dead "
        "by unit), `deliver` (send what is due now), `reconcile --from --to` (compare with "
        "TraCuuHoSo, re-send differences, print the sync rate)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="outbox by state and unit")
        sub.add_parser("deliver", help="deliver every due dossier now")
        rec = sub.add_parser("reconcile", help="compare a period with the portal")
        rec.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD (Hà Nội)")
        rec.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (Hà Nội)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "status":
            self.status()
            return
        if not sync_enabled():
            raise CommandError(
                "Chưa bật đồng bộ: đặt MOTCUA_DVCQG_URL và MOTCUA_DVCQG_TOKEN / sync is off: set "
                "MOTCUA_DVCQG_URL and MOTCUA_DVCQG_TOKEN"
            )
        try:
            client = portal()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if action == "deliver":
            self.stdout.write(str(deliver_due(client=client)))
            return
        start, end = day(options["start"]), day(options["end"])
        if end < start:
            raise CommandError("--to phải sau --from / --to must not be before --from")
        result = reconcile(start, end, client)
        for code, reason in result.failed:
            self.stderr.write(f"{code}: {reason}")
        rate = "N/A" if result.rate is None else f"{result.rate:.2f}%"
        self.stdout.write(
            f"Hồ sơ tiếp nhận / received: {result.total}; khớp / in sync: {result.matched}; "
            f"gửi lại / re-sent: {len(result.resent)}; lỗi / failed: {len(result.failed)}\n"
            f"Tỉ lệ đồng bộ / sync rate (766 1.4): {rate}"
        )

    def status(self) -> None:
        self.stdout.write(f"Đồng bộ / sync: {'bật / on' if sync_enabled() else 'tắt / off'}")
        rows = status_by_unit()
        header = ["unit", *STATES]
        self.stdout.write("  ".join(f"{h:>10}" if i else f"{h:<40}" for i, h in enumerate(header)))
        totals = dict.fromkeys(STATES, 0)
        for row in rows:
            cells = [str(row["unit__code"])[:40].ljust(40)]
            for state in STATES:
                totals[state] += row[state]
                cells.append(f"{row[state]:>10}")
            self.stdout.write("  ".join(cells))
        self.stdout.write(
            "  ".join(["total".ljust(40), *(f"{totals[state]:>10}" for state in STATES)])
        )
