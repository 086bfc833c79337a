from __future__ import annotations

import datetime
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET, CalendarRangeError, Pause, PauseKind
from motcua.worktime.rules import Limit, LimitUnit
from motcua.worktime.services import deadline_compute


def fail(vi: str, en: str) -> CommandError:
    return CommandError(f"{vi} / {en}", returncode=2)


def parse_instant(value: str) -> datetime.datetime:
    """ISO 8601; a naive time is Hà Nội time."""
    try:
        instant = datetime.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise fail(
            f"Không đọc được thời điểm {value!r} (dạng 2026-02-13T10:00)",
            f"cannot parse the time {value!r} (use ISO 8601, e.g. 2026-02-13T10:00)",
        ) from error
    return instant if instant.tzinfo else instant.replace(tzinfo=VIETNAM_OFFSET)


def parse_pause(value: str) -> Pause:
    start, separator, end = value.partition("/")
    if not separator:
        raise fail(
            f"Khoảng tạm dừng {value!r} phải có dạng BẮT_ĐẦU/KẾT_THÚC",
            f"pause {value!r} must be START/END",
        )
    pause = Pause(parse_instant(start), parse_instant(end), PauseKind.SUPPLEMENT)
    if pause.end < pause.start:
        raise fail("Khoảng tạm dừng kết thúc trước khi bắt đầu", "a pause ends before it starts")
    return pause


class Command(BaseCommand):
    help = "Tính hạn giải quyết / Compute a deadline in Vietnamese working time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="start", required=True, help="Thời điểm tiếp nhận (ISO 8601)"
        )
        limit = parser.add_mutually_exclusive_group(required=True)
        limit.add_argument("--working-days", type=str, help="N ngày làm việc")
        limit.add_argument("--working-hours", type=str, help="H giờ làm việc")
        limit.add_argument("--calendar-days", type=str, help="N ngày (lịch)")
        limit.add_argument("--same-day", action="store_true", help="Trong ngày")
        parser.add_argument("--unit", help="Mã đơn vị (giờ làm việc riêng) / unit code")
        parser.add_argument(
            "--pause", action="append", default=[], help="Tạm dừng / pause START/END (repeatable)"
        )
        parser.add_argument(
            "--explain", action="store_true", help="In cả hai cách tính khi tạm dừng"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        received = parse_instant(options["start"])
        limit = self.limit_from(options)
        unit = self.unit_from(options["unit"])
        pauses = [parse_pause(value) for value in options["pause"]]
        try:
            deadline = deadline_compute(received=received, limit=limit, unit=unit, pauses=pauses)
        except CalendarRangeError as error:
            raise fail("Ngoài phạm vi lịch làm việc", str(error)) from error
        self.stdout.write(deadline.due.isoformat())
        if options["explain"]:
            self.stdout.write(f"pause:   {deadline.due_if_paused.isoformat()}")
            self.stdout.write(f"restart: {deadline.due_if_restarted.isoformat()}")
            self.stdout.write(f"mode:    {deadline.mode}")

    @staticmethod
    def limit_from(options: dict[str, Any]) -> Limit:
        if options["same_day"]:
            return Limit(0, LimitUnit.SAME_DAY)
        for option, unit, kind in (
            ("working_days", LimitUnit.WORKING_DAY, int),
            ("working_hours", LimitUnit.WORKING_HOUR, float),
            ("calendar_days", LimitUnit.CALENDAR_DAY, int),
        ):
            raw = options[option]
            if raw is None:
                continue
            try:
                quantity = kind(raw)
            except ValueError as error:
                raise fail(f"{raw!r} không phải một số", f"{raw!r} is not a number") from error
            if not math.isfinite(quantity) or not quantity > 0:
                raise fail("Thời hạn phải là số dương", "the time limit must be a positive number")
            return Limit(quantity, unit)
        raise fail("Thiếu thời hạn", "no time limit given")

    @staticmethod
    def unit_from(code: str | None) -> Unit | None:
        if code is None:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise fail(f"Không có đơn vị mã {code!r}", f"unknown unit {code!r}")
        return unit
