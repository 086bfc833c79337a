"""The worklist's counts kept between requests (``count_cache``) are the counts: whatever the
kernel, a hand-written UPDATE or the clock does, a kept count equals one made afresh, and the
page built from it (which skips the segments counted empty) is the same page."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.common.errors import DomainError
from motcua.dossiers import count_cache, selectors
from motcua.dossiers import services as s
from motcua.dossiers.models import Consultation, Dossier, UnitMark
from motcua.organizations.models import Unit
from tests import factories

from .conftest import HOUR, POLICE, Staff, at, submitted

pytestmark = pytest.mark.django_db
OTHER_WARD = "hn-cong-an-phuong-ba-dinh"
START = at("2026-03-02 08:00")
TABS = [tab for tab, _label in selectors.TABS]


def worklist(user: User, when: datetime.datetime, tab: str = "mine", query: str = "") -> Any:
    return selectors.dossier_worklist(user=user, tab=tab, query=query, at=when)


def afresh(user: User, when: datetime.datetime, tab: str, query: str = "") -> Any:
    """The same worklist counted without the kept counts (a cache that keeps nothing)."""
    kept = count_cache.KEPT
    count_cache.KEPT = count_cache.CountCache(size=0)
    try:
        return worklist(user, when, tab, query)
    finally:
        count_cache.KEPT = kept


def counted(queries: list[dict[str, Any]]) -> int:
    """The statements counting the tabs (``COUNTS``) and "all" (``READABLE``)."""
    return sum(
        f'"{selectors.NEXT_DUE}"' in query["sql"]
        or query["sql"].startswith("SELECT COUNT(*) FROM (")
        for query in queries
    )


class Office:
    """The ward police's staff, an officer of another ward (transfers) and a dossier list."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.other = factories.officer(OTHER_WARD, Role.LEADER)
        self.officers = [
            staff.reception, staff.specialist, staff.head, staff.leader, staff.outsider,
            self.other,
        ]  # fmt: skip
        self.dossiers: list[Dossier] = []
        self.clock = START

    def dossier(self, index: int) -> Dossier | None:
        if not self.dossiers:
            return None
        return Dossier.objects.get(pk=self.dossiers[index % len(self.dossiers)].pk)

    def step(self, name: str, index: int) -> None:
        if name == "submit":
            self.dossiers.append(submitted(self.staff, self.clock.strftime("%Y-%m-%d %H:%M")))
            return
        dossier = self.dossier(index)
        if dossier is None:
            return
        # Not allowed in the dossier's state: the worklist is read all the same.
        with contextlib.suppress(DomainError):
            STEPS[name](self, dossier)


def with_units(office: Office, dossier: Dossier, action: str) -> Any:
    staff = office.staff
    if action == "consult":
        return s.dossier_consult(
            dossier=dossier, actor=staff.specialist, at=office.clock,
            unit=Unit.objects.get(code="hn-so-tu-phap"), question="Xin ý kiến về nơi cư trú",
        )  # fmt: skip
    if action == "answer":
        return s.dossier_answer_consultation(
            dossier=dossier, actor=staff.outsider, at=office.clock, answer="Đồng ý"
        )
    if action == "transfer":
        return s.dossier_transfer(
            dossier=dossier, actor=staff.leader, at=office.clock,
            to_unit=Unit.objects.get(code=OTHER_WARD), note="Đúng thẩm quyền phường Ba Đình",
        )  # fmt: skip
    if action == "assign":
        return s.dossier_assign(
            dossier=dossier, actor=staff.head, at=office.clock, assignee=staff.specialist
        )
    raise AssertionError(action)


STEPS: dict[str, Callable[[Office, Dossier], Any]] = {
    "receive": lambda o, d: s.dossier_receive(dossier=d, actor=o.staff.reception, at=o.clock),
    "forward": lambda o, d: s.dossier_forward(dossier=d, actor=o.staff.specialist, at=o.clock),
    "approve": lambda o, d: s.dossier_approve(dossier=d, actor=o.staff.leader, at=o.clock),
    "supplement": lambda o, d: s.dossier_request_supplement(
        dossier=d, actor=o.staff.specialist, at=o.clock, reason="Thiếu giấy tờ chỗ ở"
    ),
    "accept": lambda o, d: s.dossier_accept_transfer(dossier=d, actor=o.other, at=o.clock),
    "consult": lambda o, d: with_units(o, d, "consult"),
    "answer": lambda o, d: with_units(o, d, "answer"),
    "transfer": lambda o, d: with_units(o, d, "transfer"),
    "assign": lambda o, d: with_units(o, d, "assign"),
    # Written by hand, past the kernel: the triggers mark the units all the same.
    "due_earlier": lambda o, d: Dossier.objects.filter(pk=d.pk).update(
        due_at=F("due_at") - datetime.timedelta(hours=30)
    ),
    "unassign": lambda o, d: Dossier.objects.filter(pk=d.pk).update(assignee=None),
    "consultation_gone": lambda o, d: Consultation.objects.filter(dossier=d).delete(),
}
MOVES = st.one_of(
    st.tuples(st.sampled_from(["submit", *STEPS]), st.integers(0, 20)),
    st.tuples(st.just("clock"), st.integers(1, 60 * 24 * 3)),
)
READS = st.tuples(st.integers(0, 5), st.sampled_from(TABS), st.sampled_from(["", "Cường"]))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(MOVES, READS), min_size=4, max_size=14))
def test_kept_counts_are_the_counts_made_afresh(staff: Staff, moves: list[Any]) -> None:
    office = Office(staff)
    office.step("submit", 0)
    for (name, number), (officer, tab, query) in moves:
        if name == "clock":
            office.clock += datetime.timedelta(minutes=number)
        else:
            office.step(name, number)
        user = office.officers[officer]
        for _read in range(2):  # the second read is the kept one, if the first kept it
            kept = worklist(user, office.clock, tab, query)
            fresh = afresh(user, office.clock, tab, query)
            assert kept.counts == fresh.counts
            assert [d.pk for d in kept.dossiers] == [d.pk for d in fresh.dossiers]


def test_a_second_read_counts_nothing_and_a_change_counts_again(staff: Staff) -> None:
    dossier = submitted(staff)
    s.dossier_receive(dossier=dossier, actor=staff.reception, at=START)
    when = START + HOUR
    first = worklist(staff.specialist, when)
    with CaptureQueriesContext(connection) as again:
        second = worklist(staff.specialist, when + datetime.timedelta(seconds=5))
    assert second.counts == first.counts
    assert counted(again.captured_queries) == 0
    s.dossier_forward(dossier=dossier, actor=staff.specialist, at=when)
    with CaptureQueriesContext(connection) as changed:
        third = worklist(staff.specialist, when + datetime.timedelta(seconds=10))
    assert counted(changed.captured_queries) == 2  # the tabs, and "all" up to its cap
    assert third.counts["mine"] == first.counts["mine"] - 1


def test_the_counts_are_made_again_when_a_due_date_passes(staff: Staff) -> None:
    dossier = submitted(staff)
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=START)
    assert dossier.due_at is not None
    before = dossier.due_at - datetime.timedelta(minutes=1)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=dossier.due_at)  # a mark, then read
    ahead = worklist(staff.reception, before, "overdue")
    assert ahead.counts["overdue"] == 0
    with CaptureQueriesContext(connection) as still:
        assert worklist(staff.reception, before, "overdue").counts["overdue"] == 0
    assert counted(still.captured_queries) == 0
    late = worklist(staff.reception, dossier.due_at + datetime.timedelta(seconds=1), "overdue")
    assert late.counts["overdue"] == 1
    assert [d.pk for d in late.dossiers] == [dossier.pk]


def test_counts_are_not_kept_for_another_officer_or_search(staff: Staff) -> None:
    s.dossier_receive(dossier=submitted(staff), actor=staff.reception, at=START)
    mine = worklist(staff.specialist, START + HOUR)
    others = worklist(staff.reception, START + HOUR)
    searched = worklist(staff.specialist, START + HOUR, query="không có ai tên này")
    assert mine.counts["mine"] == 1
    assert others.counts["mine"] == 0
    assert searched.counts["mine"] == 0


class Undone(Exception):
    pass


def marks(unit: Unit) -> tuple[int, int]:
    return count_cache.units_marked([unit.pk], connection.alias)


@pytest.fixture
def ward(staff: Staff) -> Unit:
    return Unit.objects.get(code=POLICE)


def test_every_write_of_a_units_dossier_or_consultation_changes_its_marks(
    staff: Staff, ward: Unit
) -> None:
    justice = Unit.objects.get(code="hn-so-tu-phap")
    seen = [(ward.pk, *marks(ward))]

    def changed(unit: Unit = ward) -> None:
        now = (unit.pk, *marks(unit))
        assert now not in seen, "the write left the unit's marks as they were"
        seen.append(now)

    dossier = submitted(staff)
    changed()
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Lê Văn Cường Em")
    changed()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossier SET due_at = NULL WHERE id = %s", [dossier.pk])
    changed()
    before = marks(justice)
    s.dossier_receive(dossier=dossier, actor=staff.reception, at=START)
    s.dossier_consult(
        dossier=Dossier.objects.get(pk=dossier.pk), actor=staff.specialist, at=START,
        unit=justice, question="Xin ý kiến",
    )  # fmt: skip
    assert marks(justice) != before
    consulted = marks(justice)
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Lê Văn Cường")
    assert marks(justice) != consulted  # the consulted unit reads the dossier too
    changed()
    Consultation.objects.filter(dossier=dossier).delete()
    changed(justice)
    # By hand, and undone (the kernel never deletes a dossier: its sealed events keep it).
    with contextlib.suppress(Undone), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossier WHERE id = %s", [dossier.pk])
        changed()
        raise Undone
    assert UnitMark.objects.filter(unit_id=ward.pk).exists()


def test_with_counts_not_kept_every_read_counts(staff: Staff, settings: Any) -> None:
    settings.MOTCUA_WORKLIST_COUNTS_KEPT = False
    s.dossier_receive(dossier=submitted(staff), actor=staff.reception, at=START)
    for _read in range(2):
        with CaptureQueriesContext(connection) as read:
            assert worklist(staff.specialist, START + HOUR).counts["mine"] == 1
        assert counted(read.captured_queries) == 2
        assert not any("dossiers_unitmark" in q["sql"] for q in read.captured_queries)


def test_a_fold_keeps_the_counts_right_and_leaves_one_mark(staff: Staff, ward: Unit) -> None:
    dossier = s.dossier_receive(dossier=submitted(staff), actor=staff.reception, at=START)
    for number in range(5):
        Dossier.objects.filter(pk=dossier.pk).update(applicant_name=f"Lê Văn Cường {number}")
    assert UnitMark.objects.filter(unit_id=ward.pk).count() > 3
    before = worklist(staff.specialist, START + HOUR)
    marked = marks(ward)
    assert count_cache.unit_marks_fold(above=3) >= 1
    assert UnitMark.objects.filter(unit_id=ward.pk).count() == 1
    assert marks(ward) != marked  # counts kept under the rows are made again, once
    with CaptureQueriesContext(connection) as read:
        after = worklist(staff.specialist, START + HOUR)
    assert counted(read.captured_queries) == 2
    assert after.counts == before.counts
    s.dossier_forward(dossier=dossier, actor=staff.specialist, at=START + HOUR)
    assert UnitMark.objects.filter(unit_id=ward.pk).count() > 1  # a write after it adds one
    assert worklist(staff.specialist, START + 2 * HOUR).counts["mine"] == after.counts["mine"] - 1


def test_after_a_restore_every_unit_has_a_new_mark(staff: Staff, ward: Unit) -> None:
    submitted(staff)
    marked = marks(ward)
    assert count_cache.unit_marks_renew() == Unit.objects.count()
    assert marks(ward) != marked


def test_two_writers_marking_the_same_units_never_wait_for_each_other(
    transactional_db: None,
) -> None:
    """Rows are only added: a transaction that marked units R and Z and has not committed does
    not hold back another marking Z then R (an upsert of one row per unit deadlocked, session
    46's review)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers take turns by design")
    import psycopg

    settings_dict = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings_dict["NAME"], user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None, host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )  # fmt: skip
    with psycopg.connect(conninfo) as first, psycopg.connect(conninfo) as second:
        first.execute("SELECT dossiers_units_mark(ARRAY[%s, %s]::bigint[])", [10, 20])
        second.execute("SET lock_timeout = '2s'")
        second.execute("SELECT dossiers_units_mark(ARRAY[%s, %s]::bigint[])", [20, 10])
        second.commit()
        first.commit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dossiers_unitmark WHERE unit_id IN (10, 20)")
        assert cursor.fetchone()[0] == 4


def test_a_truncate_of_consultations_marks_every_unit(staff: Staff, ward: Unit) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    justice = Unit.objects.get(code="hn-so-tu-phap")
    before = {unit.pk: marks(unit) for unit in (ward, justice)}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_consultation")
    assert all(marks(unit) != before[unit.pk] for unit in (ward, justice))


def test_marks_beyond_what_is_worth_reading_are_not_kept(
    staff: Staff, ward: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folds stopped (no scheduler): counted every time rather than reading a long history."""
    s.dossier_receive(dossier=submitted(staff), actor=staff.reception, at=START)
    monkeypatch.setattr(count_cache, "MARKS_READ_MAX", 1)
    assert UnitMark.objects.filter(unit_id=ward.pk).count() > 1
    for _read in range(2):
        with CaptureQueriesContext(connection) as read:
            assert worklist(staff.specialist, START + HOUR).counts["mine"] == 1
        assert counted(read.captured_queries) == 2
