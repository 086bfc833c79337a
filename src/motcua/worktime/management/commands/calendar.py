from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.worktime.services import FIRST_YEAR, LAST_YEAR, year_notes

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


class Command(BaseCommand):
    help = "Ngày nghỉ và ngày làm bù của một năm / Days off and make-up working days of a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=str)

    def handle(self, *args: Any, year: str, **options: Any) -> None:
        if not (year.isascii() and year.isdigit()) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise CommandError(
                f"Năm phải trong khoảng {FIRST_YEAR}–{LAST_YEAR} / "
                f"the year must be between {FIRST_YEAR} and {LAST_YEAR}",
                returncode=2,
            )
        notes = year_notes(int(year))
        for day, note in sorted(notes.items()):
            if not note.working and day.weekday() >= 5 and note.origin != "override":
                continue  # a holiday on a weekend changes nothing by itself
            kind = "LÀM BÙ / make-up working day" if note.working else "NGHỈ / day off"
            flag = " [chưa xác minh / unverified]" if note.unverified else ""
            self.stdout.write(
                f"{day:%d/%m/%Y} {WEEKDAYS[day.weekday()]}  {kind:30} {note.text} ({note.sources}){flag}"
            )
