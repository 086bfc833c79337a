"""The monthly buckets: for random facts (rewritten now and then, as refolds do), random periods
(whole months, part months, ending at an odd instant) and random scopes, the counts read from
the buckets and the facts around them equal one aggregate over every fact, the definition
(``count_expressions``) the buckets are made of."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Min
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.common.clock import clock_set_to
from motcua.dossiers.models import Dossier
from motcua.supervision.buckets import ALL_PROCEDURES, around, month_of, reaching_past, window_of
from motcua.supervision.compute import (
    Counts,
    Period,
    Scope,
    count_expressions,
    counts,
    counts_by,
    counts_of,
)
from motcua.supervision.dashboard import months_of
from motcua.supervision.models import DossierFact, FlightSnapshot, IndicatorBucket
from motcua.supervision.populations import scoped
from motcua.supervision.rollup import facts_store, settle
from motcua.supervision.snapshots import (
    boundary_instant,
    next_month,
    snapshot_sums,
    snapshots_catch_up,
    snapshots_clear,
)
from tests.dossiers.conftest import Staff

from .helpers import act, hanoi, replay, submit, summed_rows

pytestmark = pytest.mark.django_db

ORIGIN = int(hanoi("2026-01-01 00:00").timestamp())
SPAN = 200 * 86400  # facts from 1/1 to mid-July
DOSSIERS = 12
HOUR = 3600
UNITS = (1, 2, 3)  # stand-in unit ids: the rollup keeps ids, not keys
CHANNELS = ("counter", "online", "national_portal")

offsets = st.integers(min_value=0, max_value=SPAN)
later = st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 86400))


@st.composite
def fact_fields(draw: st.DrawFn) -> dict[str, Any]:
    """One dossier's facts as a fold could leave them: instants in order, the end perhaps not
    yet, a supplement perhaps, flags that may come after the end (a rating, a payment)."""
    received = ORIGIN + draw(offsets)
    fields: dict[str, Any] = {
        "received": received,
        "receiving_unit_id": draw(st.sampled_from(UNITS)),
        "deciding_unit_id": draw(st.sampled_from(UNITS)),
        "procedure_id": draw(st.sampled_from((11, 12))),
        "field_id": draw(st.sampled_from((None, 21))),
        "channel": draw(st.sampled_from(CHANNELS)),
        "due": draw(st.one_of(st.none(), st.integers(received, received + 30 * 86400))),
    }
    gap = draw(later)
    if gap is not None:
        fields["sup1_start"] = received + gap // 3
        answer = draw(later)
        if answer is not None:
            fields["sup1_end"] = fields["sup1_start"] + answer // 4
            fields["sup1_due"] = fields["sup1_end"] + draw(st.integers(0, 20 * 86400))
            fields["citizen"] = answer // 4
        if draw(st.booleans()):
            fields["sup2"] = fields["sup1_start"] + HOUR
    end = draw(later)
    if end is not None:
        fields["end"] = received + end + HOUR
        fields["judge_end"] = min(fields["end"], fields.get("sup1_start") or fields["end"])
        fields["end_kind"] = draw(st.sampled_from(("resolved", "resolved", "stopped")))
    for flag in ("digitised", "e_result", "unsatisfied", "reused", "from_store", "fee",
                 "paid_online"):  # fmt: skip
        after = draw(later)
        fields[flag] = None if after is None else received + after
    return fields


periods = st.tuples(
    offsets,
    st.integers(min_value=0, max_value=120),
    st.one_of(st.none(), st.integers(min_value=0, max_value=SPAN + 60 * 86400)),
)
scopes = st.sampled_from(["all", "unit", "channel", "procedure", "field"])


@pytest.fixture
def dossiers(staff: Staff) -> list[int]:
    """Dossier rows for the facts to belong to (copies of one received through the kernel)."""
    replay([submit("B0", "2026-03-02 09:00"), act("B0", "2026-03-02 09:00", "receive")])
    prototype = Dossier.objects.get(ref="B0")
    copied = [
        f.attname for f in Dossier._meta.concrete_fields
        if f.attname not in ("id", "ref", "code", "idempotency_key")
    ]  # fmt: skip
    clones = Dossier.objects.bulk_create([
        Dossier(**{name: getattr(prototype, name) for name in copied}, ref=f"B{n}", code=None)
        for n in range(1, DOSSIERS + 1)
    ])  # fmt: skip
    return [clone.pk for clone in clones]


def stored(dossier_id: int, fields: dict[str, Any]) -> None:
    fact = settle(DossierFact(dossier_id=dossier_id, seq=1, **fields))
    facts_store([dossier_id], [fact])


def scope_of(kind: str) -> Scope:
    return {
        "all": Scope(), "unit": Scope(unit_ids=frozenset({2})), "channel": Scope(channel="online"),
        "procedure": Scope(procedure_ids=frozenset({12})), "field": Scope(field_id=21),
    }[kind]  # fmt: skip


def every_fact(scope: Scope, start: int, until: int) -> Counts:
    """The definition: one aggregate over all the scope's facts received before the end."""
    facts = scoped(scope).filter(received__lt=until)
    return counts_of(facts.aggregate(**count_expressions(start, until)))


GROUPINGS = [
    ("receiving_unit_id", "deciding_unit_id"), ("field_id",), ("procedure_id",), ("channel",),
]  # fmt: skip


def every_fact_by(scope: Scope, start: int, until: int, by: tuple[str, ...]) -> dict:
    """The same per group (the dashboard's units, fields and procedures), groups of nothing
    left out."""
    facts = scoped(scope).filter(received__lt=until).values(*by)
    rows = facts.annotate(**count_expressions(start, until)).order_by()
    found = {tuple(row[name] for name in by): counts_of(row) for row in rows}
    return {key: value for key, value in found.items() if value != Counts()}


def grouped_counts(scope: Scope, start: int, until: int, by: tuple[str, ...]) -> dict:
    found = counts_by(scope, start, until, by)
    return {key: value for key, value in found.items() if value != Counts()}


def assert_counts_equal(scope: Scope, start: int, until: int, by: tuple[str, ...]) -> None:
    assert counts(scope, start, until) == every_fact(scope, start, until)
    assert grouped_counts(scope, start, until, by) == every_fact_by(scope, start, until, by)


@settings(
    max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    written=st.lists(
        st.tuples(st.integers(0, DOSSIERS - 1), fact_fields()), min_size=1, max_size=30
    ),
    asked=st.lists(periods, min_size=1, max_size=5),
    kind=scopes,
    by=st.sampled_from(GROUPINGS),
)
def test_the_buckets_and_the_facts_around_them_equal_every_fact(
    dossiers: list[int], written: list, asked: list, kind: str, by: tuple[str, ...]
) -> None:
    with transaction.atomic():
        for index, fields in written:  # a dossier written again: its old sums come off
            stored(dossiers[index], fields)
        scope = scope_of(kind)
        for begin, days, odd_end in asked:
            start = ORIGIN + begin // 86400 * 86400
            until = start + (days + 1) * 86400
            if odd_end is not None:
                until = min(until, ORIGIN + odd_end)
            if until <= start:
                continue
            assert_counts_equal(scope, start, until, by)
        transaction.set_rollback(True)


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    before=st.lists(
        st.tuples(st.integers(0, DOSSIERS - 1), fact_fields()), min_size=1, max_size=20
    ),
    after=st.lists(st.tuples(st.integers(0, DOSSIERS - 1), fact_fields()), max_size=10),
    asked=st.lists(st.tuples(st.integers(0, 7), st.integers(1, 4)), min_size=1, max_size=4),
    kind=scopes,
    by=st.sampled_from(GROUPINGS),
)
def test_whole_months_read_from_the_snapshots_equal_every_fact(
    dossiers: list[int], before: list, after: list, asked: list, kind: str, by: tuple[str, ...]
) -> None:
    """Periods of whole months ending at a month start already passed are read from the
    buckets and the snapshot of the dossiers in flight then, also after facts changed once the
    snapshots were made (a backdated import)."""
    # The month starts passed are those up to 1/12/2026 whatever the day the test runs.
    with transaction.atomic(), clock_set_to(hanoi("2026-12-15 00:00")):
        for index, fields in before:
            stored(dossiers[index], fields)
        snapshots_catch_up()
        # The first reception as stored when the snapshots were made: a dossier drawn twice in
        # ``before`` keeps only its last facts (hypothesis found the list's minimum wrong).
        first = DossierFact.objects.aggregate(Min("received"))["received__min"]
        for index, fields in after:
            stored(dossiers[index], fields)
        # As the rollup's catch-up does after its folds: a backdated reception may come before
        # every month start made so far.
        snapshots_catch_up()
        first_month = month_of(
            min(first, DossierFact.objects.aggregate(Min("received"))["received__min"])
        )
        scope = scope_of(kind)
        for first, length in asked:
            opening, closing = month_add(202601, first), month_add(202601, first + length)
            start, until = boundary_instant(opening), boundary_instant(closing)
            window = window_of(start, until)
            # Made from the first reception on; before it, the facts around are none anyway.
            made = snapshot_sums(scope, start, until, window) is not None
            assert made == (closing > first_month)
            assert_counts_equal(scope, start, until, by)
        made = snapshot_rows()
        snapshots_clear()
        snapshots_catch_up()  # made again from the facts: the same rows as kept piece by piece
        assert snapshot_rows() == made
        transaction.set_rollback(True)


def month_add(month: int, count: int) -> int:
    for _ in range(count):
        month = next_month(month)
    return month


def snapshot_rows() -> list[tuple]:
    return summed_rows(FlightSnapshot, fixed=("boundary",))


def test_a_year_of_whole_months_reads_the_buckets(dossiers: list[int]) -> None:
    """Settled dossiers of a month are read from its bucket, not again from their facts."""
    received = int(hanoi("2026-03-10 09:00").timestamp())
    for dossier_id in dossiers[:3]:
        stored(dossier_id, {
            "received": received, "receiving_unit_id": 1, "deciding_unit_id": 1,
            "procedure_id": 11, "channel": "online", "due": received + 5 * 86400,
            "end": received + 86400, "judge_end": received + 86400, "end_kind": "resolved",
        })  # fmt: skip
    every, one = IndicatorBucket.objects.order_by("procedure_id")  # all procedures; procedure 11
    assert (every.procedure_id, one.procedure_id) == (ALL_PROCEDURES, 11)
    for bucket in (every, one):
        counted = (bucket.received, bucket.online, bucket.handled, bucket.on_time)
        assert (bucket.month, *counted) == (202603, 3, 3, 3, 3)
    start, until = (int(hanoi(t).timestamp()) for t in ("2026-01-01 00:00", "2027-01-01 00:00"))
    window = window_of(start, until)
    assert (window.first, window.stop) == (202601, 202701)
    DossierFact.objects.filter(dossier_id__in=dossiers[:3]).update(channel="counter")
    found = counts(Scope(), start, until)  # the facts altered behind the rollup's back …
    assert (found.received, found.online, found.on_time) == (3, 3, 3)  # … are not read again


def test_grouped_by_field_a_dossier_of_no_field_is_one_group(dossiers: list[int]) -> None:
    """Settled in the buckets (field key 0) or open among the facts around (no field), a
    dossier of a procedure without a field is counted in the one group of no field."""
    received = int(hanoi("2026-03-10 09:00").timestamp())
    common = {"receiving_unit_id": 1, "deciding_unit_id": 1, "procedure_id": 11,
              "field_id": None, "channel": "online", "due": received + 5 * 86400}  # fmt: skip
    ended = {"end": received + 86400, "judge_end": received + 86400, "end_kind": "resolved"}
    stored(dossiers[0], {"received": received, **common, **ended})
    stored(dossiers[1], {"received": received, **common})  # still open
    start, until = (int(hanoi(t).timestamp()) for t in ("2026-01-01 00:00", "2027-01-01 00:00"))
    found = counts_by(Scope(), start, until, ("field_id",))
    assert [(key, value.received, value.handled) for key, value in found.items()] == [
        ((None,), 2, 2)
    ]


def test_a_dossier_in_flight_at_the_end_of_a_whole_month_period(dossiers: list[int]) -> None:
    """Received 29/6, due 2/7, ended late on 4/7: the bucket of June holds it as received and
    late, but at 30/6 24:00 it was open and on time, which only its facts can say."""
    received = int(hanoi("2026-06-29 09:00").timestamp())
    stored(dossiers[0], {
        "received": received, "receiving_unit_id": 1, "deciding_unit_id": 1,
        "procedure_id": 11, "channel": "online", "due": received + 3 * 86400,
        "end": received + 5 * 86400, "judge_end": received + 5 * 86400, "end_kind": "resolved",
        "e_result": received + 5 * 86400,
    })  # fmt: skip
    start, until = (int(hanoi(t).timestamp()) for t in ("2026-06-01 00:00", "2026-07-01 00:00"))
    found = counts(Scope(), start, until)
    assert (found.received, found.handled, found.judged, found.on_time) == (1, 1, 1, 1)
    assert (found.resolved, found.e_result) == (0, 0)
    assert found == every_fact(Scope(), start, until)
    late = counts(Scope(), start, int(hanoi("2026-08-01 00:00").timestamp()))
    assert (late.handled, late.on_time, late.resolved) == (1, 0, 1)


def test_a_month_is_the_month_in_hanoi() -> None:
    assert month_of(int(hanoi("2026-03-31 23:59").timestamp())) == 202603
    assert month_of(int(hanoi("2026-04-01 00:00").timestamp())) == 202604
    just_after = datetime.datetime(2026, 3, 31, 17, 0, tzinfo=datetime.UTC)  # 1/4 00:00 in Hà Nội
    assert month_of(int(just_after.timestamp())) == 202604
    start = int(hanoi("2026-03-15 00:00").timestamp())
    window = window_of(start, int(hanoi("2026-06-10 13:00").timestamp()))
    assert (window.first, window.stop) == (202604, 202606)
    assert window.begins == int(hanoi("2026-04-01 00:00").timestamp())
    assert window_of(start, int(hanoi("2026-04-30 00:00").timestamp())).empty


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index is PostgreSQL's")
@pytest.mark.parametrize("ending", ["2026-07-01 00:00", "2026-07-15 09:30"])
def test_the_facts_around_a_period_are_found_through_the_range_index(ending: str) -> None:
    """The range test is written as the index (migration 0005) so PostgreSQL can use it: with
    sequential scans forbidden, the plan walks ``fact_alive``, for a period ending at a month's
    start (a point test) and inside a month (an overlap)."""
    start, until = (int(hanoi(t).timestamp()) for t in ("2025-07-01 00:00", ending))
    facts = around(Scope(), start, until, window_of(start, until))
    sql, params = facts.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS a", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "fact_alive" in plan, plan


def test_the_month_under_way_reads_its_bucket_and_the_dossiers_still_open(
    dossiers: list[int],
) -> None:
    """A period ending now (the dashboard's default) adds the month under way's whole bucket and
    reads only the dossiers open now, not every one received or settled since the 1st; what a
    bucket holds wrongly for it (a reception stamped after now) is taken off again."""

    def fact(received: str, **ends: str) -> dict[str, Any]:
        instant = int(hanoi(received).timestamp())
        fields = {"received": instant, "receiving_unit_id": 1, "deciding_unit_id": 2,
                  "procedure_id": 11, "field_id": 21, "channel": "online",
                  "due": instant + 2 * 86400}  # fmt: skip
        if "end" in ends:
            end = int(hanoi(ends["end"]).timestamp())
            fields.update(end=end, judge_end=end, end_kind="resolved", e_result=end)
        return fields

    now = hanoi("2026-06-20 12:00")
    with clock_set_to(now):
        stored(dossiers[0], fact("2026-05-04 09:00", end="2026-05-05 09:00"))  # May's bucket
        stored(dossiers[1], fact("2026-06-03 09:00", end="2026-06-09 09:00"))  # June's, late
        stored(dossiers[2], fact("2026-06-10 09:00"))  # open, late by now
        stored(dossiers[3], fact("2026-06-19 09:00"))  # open, on time
        stored(dossiers[4], fact("2026-05-30 09:00", end="2026-06-01 10:00"))  # across
        stored(dossiers[5], fact("2026-06-25 09:00", end="2026-06-26 09:00"))  # after now
        start, until = int(hanoi("2026-05-01 00:00").timestamp()), int(now.timestamp())
        window = window_of(start, until)
        reaching = reaching_past(start, until, window)
        assert (window.first, window.stop, reaching.first, reaching.stop) == (
            202605,
            202606,
            202605,
            202607,
        )
        assert {f.dossier_id for f in around(Scope(), start, until, reaching)} == {
            dossiers[2],
            dossiers[3],
            dossiers[5],
        }
        found = counts(Scope(), start, until)
        assert (found.received, found.handled, found.on_time, found.resolved) == (5, 5, 2, 3)
        for by in GROUPINGS:
            assert_counts_equal(Scope(), start, until, by)
        june = months_of(Period(datetime.date(2026, 5, 1), datetime.date(2026, 6, 30)),
                         Scope(), None)[-1].counts  # fmt: skip
        june_start = int(hanoi("2026-06-01 00:00").timestamp())
        assert june == every_fact(Scope(), june_start, until)
