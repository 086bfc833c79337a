"""The calendar in force (overrides, rule sets per unit) and the `deadline`/`calendar` commands."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from motcua.common.errors import DomainError
from motcua.organizations.models import Unit
from motcua.worktime.models import WorkRuleSet
from motcua.worktime.rules import Limit, LimitUnit
from motcua.worktime.services import CACHE, calendar_override_set, deadline_compute

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> None:
    CACHE.clear()


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_deadline_command_prints_iso_8601_with_offset() -> None:
    assert run("deadline", "--from", "2026-02-13T10:00", "--working-days", "3").strip() == (
        "2026-02-25T17:00:00+07:00"
    )


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--working-hours", "2", "2026-03-02T11:00:00+07:00"),
        ("--calendar-days", "5", "2026-03-09T17:00:00+07:00"),
    ],
)
def test_deadline_command_other_limits(option: str, value: str, expected: str) -> None:
    assert run("deadline", "--from", "2026-03-02T09:00", option, value).strip() == expected


def test_deadline_command_same_day_and_utc_input() -> None:
    # 07:30 UTC is 14:30 in Hà Nội: before the cut-off.
    assert run("deadline", "--from", "2026-03-02T07:30:00+00:00", "--same-day").strip() == (
        "2026-03-02T17:00:00+07:00"
    )


def test_deadline_command_with_a_pause_explains_both_readings() -> None:
    out = run(
        "deadline", "--from", "2026-03-02T09:00", "--working-days", "5",
        "--pause", "2026-03-03T09:00/2026-03-04T09:00", "--explain",
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "2026-03-10T17:00:00+07:00"
    assert "restart: 2026-03-11T17:00:00+07:00" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "hôm qua", "--working-days", "3"], "Không đọc được thời điểm"),
        (["--from", "2026-03-02T09:00", "--working-days", "-3"], "số dương"),
        (["--from", "2026-03-02T09:00", "--working-days", "ba"], "không phải một số"),
        (
            ["--from", "2026-03-02T09:00", "--working-days", "3", "--unit", "khong-co"],
            "unknown unit",
        ),
        (["--from", "2099-03-02T09:00", "--working-days", "3"], "Ngoài phạm vi"),
        (["--from", "2026-03-02T09:00", "--working-days", "3", "--pause", "x"], "START/END"),
    ],
)
def test_deadline_command_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("deadline", *args)
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_calendar_command_lists_days_off_and_make_up_days() -> None:
    out = run("calendar", "2026")
    assert "22/08/2026 T7  LÀM BÙ" in out
    assert "27/04/2026 T2  NGHỈ" in out
    assert "26/04/2026" not in out  # the Sunday itself changes nothing
    assert "24/11/2026 T3  NGHỈ / day off                 Ngày Văn hóa Việt Nam" in out
    assert "unverified" in out


def test_calendar_command_refuses_a_bad_year() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("calendar", "20x6")
    assert caught.value.returncode == 2


def test_an_override_changes_deadlines_at_once() -> None:
    limit = Limit(1, LimitUnit.WORKING_DAY)
    before = deadline_compute(received=at("2026-12-03 09:00"), limit=limit).due
    calendar_override_set(
        day=datetime.date(2026, 12, 4), working=False, reason="Nghỉ đột xuất",
        legal_document="Quyết định thử 1/QĐ-UBND",
    )  # fmt: skip
    after = deadline_compute(received=at("2026-12-03 09:00"), limit=limit).due
    assert before == at("2026-12-04 17:00")
    assert after == at("2026-12-07 17:00")


def test_an_override_can_make_the_unverified_holiday_a_working_day() -> None:
    calendar_override_set(
        day=datetime.date(2026, 11, 24), working=True, reason="Không phải ngày nghỉ",
        legal_document="Văn bản thử",
    )  # fmt: skip
    due = deadline_compute(received=at("2026-11-23 09:00"), limit=Limit(1, LimitUnit.WORKING_DAY))
    assert due.due == at("2026-11-24 17:00")


def test_an_override_needs_its_legal_document() -> None:
    with pytest.raises(DomainError):
        calendar_override_set(
            day=datetime.date(2026, 12, 4), working=False, reason="x", legal_document=" "
        )


def test_a_unit_rule_set_with_other_office_hours_applies_to_that_unit_only() -> None:
    police = Unit.objects.get(code="hn-cong-an-phuong-hoan-kiem")
    WorkRuleSet.objects.create(
        name="Giờ làm việc công an phường", unit=police, valid_from=datetime.date(2026, 1, 1),
        office_hours=[["07:30", "11:30"], ["13:30", "17:30"]],
    )  # fmt: skip
    limit = Limit(8, LimitUnit.WORKING_HOUR)
    own = deadline_compute(received=at("2026-03-02 07:30"), limit=limit, unit=police).due
    other = deadline_compute(received=at("2026-03-02 07:30"), limit=limit).due
    assert own == at("2026-03-02 17:30")
    assert other == at("2026-03-02 17:00")


def test_a_rule_set_applies_only_from_its_date() -> None:
    WorkRuleSet.objects.create(
        name="Tính lại từ đầu", valid_from=datetime.date(2026, 6, 1), office_hours=[],
        supplement_mode="restart",
    )  # fmt: skip
    before = deadline_compute(received=at("2026-05-04 09:00"), limit=Limit(1, "working_day"))
    after = deadline_compute(received=at("2026-06-01 09:00"), limit=Limit(1, "working_day"))
    assert (before.mode, after.mode) == ("pause", "restart")


def test_year_page_shows_the_calendar() -> None:
    page = Client().get("/lich-lam-viec/2026/").content.decode()
    assert "Lịch làm việc năm 2026" in page
    assert "Làm bù" in page
    assert "Tết Nguyên Đán" in page
    assert Client().get("/lich-lam-viec/1999/").status_code == 404


@pytest.mark.parametrize(
    ("hours", "cutoff", "valid_from", "field"),
    [
        ([["00:00", "24:00"]], "15:00", "2029-01-01", "office_hours"),
        ([["08:00", "12:00"]], "23:59", "2029-01-01", "same_day_cutoff"),
        ([["08:00", "12:00"], ["11:00", "17:00"]], "15:00", "2029-01-01", "office_hours"),
        ([["08:00", "17:00"]], "15:00", "9999-12-31", "valid_from"),
    ],
)
def test_a_rule_set_that_would_break_deadlines_is_refused(
    hours: list[list[str]], cutoff: str, valid_from: str, field: str
) -> None:
    from django.core.exceptions import ValidationError

    rule_set = WorkRuleSet(
        name="Sai", valid_from=datetime.date.fromisoformat(valid_from), office_hours=hours,
        same_day_cutoff=datetime.time.fromisoformat(cutoff),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        rule_set.full_clean()
    assert field in caught.value.message_dict


def test_an_override_outside_the_supported_years_is_refused() -> None:
    from django.core.exceptions import ValidationError

    from motcua.worktime.models import CalendarOverride

    with pytest.raises(ValidationError):
        CalendarOverride(
            day=datetime.date(1900, 1, 1), kind="day_off", reason="x", legal_document="y"
        ).full_clean()


def test_an_infinite_limit_is_a_clear_error() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("deadline", "--from", "2026-03-02T09:00", "--working-hours", "inf")
    assert caught.value.returncode == 2
