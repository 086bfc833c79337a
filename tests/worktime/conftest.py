from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from motcua.worktime.engine import VIETNAM_OFFSET, WorkCalendar
from motcua.worktime.sources import calendar_spec, read_facts


@pytest.fixture(scope="session")
def hanoi_calendar() -> WorkCalendar:
    """The default calendar (package + announced facts), built without the database."""
    facts = read_facts(Path(settings.MOTCUA_CALENDAR_FILE))
    return WorkCalendar(calendar_spec(first_year=2023, last_year=2028, facts=facts, overrides=[]))


def at(text: str) -> datetime.datetime:
    """'2026-02-13 10:00' in Hà Nội time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)
