"""The e-form renderer: schema → fieldsets, POST → answer, answer → Vietnamese errors."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog import eform_answers as eform
from motcua.catalog.eforms import HAND_WRITTEN

RESIDENCE = HAND_WRITTEN["1.004222"]


def test_repeated_rows_grow_one_at_a_time() -> None:
    first = [g for g in eform.groups_of(RESIDENCE, {}) if g.name.startswith("thanh_vien")]
    assert [g.name for g in first] == ["thanh_vien_cung_dang_ky.0"]
    assert first[0].more
    answer = {"thanh_vien_cung_dang_ky": [{"ho_ten": "Lê Văn B", "so_dinh_danh": "001090012345"}]}
    rows = [g for g in eform.groups_of(RESIDENCE, answer) if g.name.startswith("thanh_vien")]
    assert [g.name for g in rows] == ["thanh_vien_cung_dang_ky.0", "thanh_vien_cung_dang_ky.1"]
    assert [g.more for g in rows] == [False, True]


def test_a_filled_row_is_read_back_and_empty_rows_are_dropped() -> None:
    post = {
        "dia_chi_dang_ky": "12 Hàng Bạc",
        "thanh_vien_cung_dang_ky.0.ho_ten": "Lê Văn B",
        "thanh_vien_cung_dang_ky.0.so_dinh_danh": "001090012345",
        "thanh_vien_cung_dang_ky.1.ho_ten": "",
    }
    answer = eform.parse(RESIDENCE, post)
    assert answer["thanh_vien_cung_dang_ky"] == [
        {"ho_ten": "Lê Văn B", "so_dinh_danh": "001090012345"}
    ]


@given(st.dates(min_value=datetime.date(1900, 1, 1)))
def test_a_date_typed_day_first_round_trips(day: datetime.date) -> None:
    typed = day.strftime("%d/%m/%Y")
    iso = eform.parse_date(typed)
    assert iso == day.isoformat()
    assert eform.date_shown(iso) == typed


@given(st.text(max_size=30))
def test_anything_typed_in_a_number_field_never_crashes(raw: str) -> None:
    value = eform.parse_number(raw, integer=True)
    assert isinstance(value, int | str)
