""" "Ai đã dùng dữ liệu của tôi" reads as facts, not a log: repeated lookups of the same record by
the same officer on the same day are one line with a count, and a registry record is named in
words, never by its internal path."""

from __future__ import annotations

import datetime
import itertools

from hypothesis import given
from hypothesis import strategies as st

from motcua.common.clock import VIETNAM
from motcua.vault.models import DataUse
from motcua.vault.registry import record_name
from motcua.vault.selectors import use_rows

NUMBER = "001090012345"
MORNING = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=VIETNAM)


def lookup(at: datetime.datetime, user_name: str = "Nguyễn Văn An") -> DataUse:
    return DataUse(
        owner_kind="person", owner_id_number=NUMBER, registry_record=record_name(NUMBER),
        user_name=user_name, unit_name="UBND phường Hoàn Kiếm", what=DataUse.What.REGISTRY, at=at,
    )  # fmt: skip


def test_same_day_lookups_by_one_officer_are_one_line_with_their_count() -> None:
    uses = [lookup(MORNING + datetime.timedelta(minutes=m)) for m in (40, 20, 0)]  # newest first
    rows = use_rows(uses)
    assert len(rows) == 1
    assert rows[0].times == 3
    assert rows[0].first_at == MORNING
    assert "population/" not in str(rows[0].data)
    assert "Cơ sở dữ liệu quốc gia về dân cư" in str(rows[0].data)


def test_another_officer_or_another_day_is_another_line() -> None:
    uses = [
        lookup(MORNING + datetime.timedelta(days=1)),
        lookup(MORNING + datetime.timedelta(minutes=5), user_name="Trần Thị Bình"),
        lookup(MORNING),
    ]
    assert [row.times for row in use_rows(uses)] == [1, 1, 1]


@given(st.lists(st.sampled_from(["An", "Bình"]), max_size=30))
def test_lines_account_for_every_use(names: list[str]) -> None:
    uses = [
        lookup(MORNING - datetime.timedelta(minutes=i), user_name=n) for i, n in enumerate(names)
    ]
    rows = use_rows(uses)
    assert sum(row.times for row in rows) == len(uses)
    assert all(a.latest.user_name != b.latest.user_name for a, b in itertools.pairwise(rows))
