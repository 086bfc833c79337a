"""Reading time limits from the national records (``catalog.limits``): examples from the records
and properties over every form they use."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.constants import TimeUnit
from motcua.catalog.limits import ParsedLimit, limit_from_text, limit_parse, limits_in_text

WD, DAY, HOUR, SAME = (
    TimeUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY,
)
UNIT_PHRASES = {WD: "ngày làm việc", DAY: "ngày", HOUR: "giờ làm việc"}
REMOTE = (
    " Đối với các xã miền núi, vùng sâu, vùng xa, vùng có điều kiện kinh tế - xã hội đặc biệt "
    "khó khăn thì thời gian thực hiện được tăng thêm {extra} ngày làm việc."
)
quantities = st.integers(min_value=1, max_value=120)
units = st.sampled_from([WD, DAY, HOUR])


def parsed(text: str) -> tuple[Decimal | None, str] | None:
    found = limit_from_text(text)
    return None if found is None else (found.quantity, found.unit)


def test_structured_pairs_come_first() -> None:
    assert limit_parse(7, "WORKING_DAY") == ParsedLimit(Decimal(7), WD)
    assert limit_parse(17.5, "WORKING_DAY") == ParsedLimit(Decimal("17.5"), WD)
    assert limit_parse(2, "DAY") == ParsedLimit(Decimal(2), DAY)
    assert limit_parse(15, "HOUR") == ParsedLimit(Decimal(15), HOUR)
    # A number with no unit the law uses is not guessed; the note may still say it.
    assert limit_parse(7, "OTHER") is None
    assert limit_parse(1, "OTHER", "Không quá 10 ngày làm việc") == ParsedLimit(Decimal(10), WD)
    assert limit_parse(0, "WORKING_DAY") is None
    assert limit_parse(True, "WORKING_DAY") is None


def test_months_are_thirty_days_noted() -> None:
    found = limit_parse(2, "MONTH")
    assert found is not None
    assert (found.quantity, found.unit) == (Decimal(60), DAY)
    assert "30" in found.note


def test_forms_written_in_the_records() -> None:
    assert parsed("Không quá 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ.") == (Decimal(15), DAY)
    assert parsed("Không quá 7,5 ngày làm việc kể từ ngày nhận đủ hồ sơ") == (Decimal("7.5"), WD)
    assert parsed("12.5 ngày làm việc + thời gian thực hiện cấp lại") == (Decimal("12.5"), WD)
    assert parsed("Ngay trong ngày tiếp nhận hồ sơ, trường hợp nhận hồ sơ sau 15 giờ mà không "
                  "giải quyết được ngay thì trả kết quả trong ngày làm việc tiếp theo") == (None, SAME)  # fmt: skip
    assert parsed("Thực hiện trong ngày làm việc nhận được đủ hồ sơ xóa nợ; nếu thời điểm nhận "
                  "đủ hồ sơ, sau 15 giờ cùng ngày thì có thể giải quyết") == (None, SAME)  # fmt: skip
    assert parsed("Không quá 05 ngày làm việc, tại các xã miền núi, vùng sâu, vùng xa thì "
                  "không quá 15 ngày làm việc") == (Decimal(5), WD)  # fmt: skip
    assert parsed("Theo mô tả") is None
    assert parsed("Trường hợp cấp đổi đồng loạt thì thời gian thực hiện theo dự án") is None


def test_per_case_gives_the_longest_with_a_note() -> None:
    text = (
        "a) Không quá 05 ngày làm việc đối với thủ tục đổi tên; "
        "b) Không quá 10 ngày làm việc đối với trường hợp chuyển nhượng; "
        "c) Không quá 07 ngày làm việc đối với trường hợp khác."
    )
    found = limit_from_text(text)
    assert found is not None
    assert (found.quantity, found.unit) == (Decimal(10), WD)
    assert "05 ngày làm việc" in found.note
    assert "dài nhất" in found.note
    assert [item.quantity for item in limits_in_text(text)] == [5, 10, 7]


def test_limits_per_step_are_not_guessed() -> None:
    assert parsed("- Thời gian thực hiện Bước 2 không quá 05 ngày làm việc. - Thời gian thực "
                  "hiện Bước 3 không quá 10 ngày.") is None  # fmt: skip


@given(quantities, units)
def test_a_stated_limit_is_read_back(quantity: int, unit: str) -> None:
    text = f"Không quá {quantity:02d} {UNIT_PHRASES[unit]} kể từ ngày nhận đủ hồ sơ hợp lệ."
    assert parsed(text) == (Decimal(quantity), unit)


@given(quantities, quantities, units, st.sampled_from(["đến", "-", "–"]))
def test_a_range_gives_its_upper_bound(low: int, high: int, unit: str, dash: str) -> None:
    found = limit_from_text(f"Từ {low:02d} {dash} {high:02d} {UNIT_PHRASES[unit]}")
    assert found is not None
    assert (found.quantity, found.unit) == (Decimal(max(low, high)), unit)
    assert "tối đa" in found.note


@given(quantities, quantities, units)
def test_the_remote_commune_extension_never_lengthens_the_limit(
    quantity: int, extra: int, unit: str
) -> None:
    text = f"Không quá {quantity:02d} {UNIT_PHRASES[unit]}." + REMOTE.format(extra=extra)
    assert parsed(text) == (Decimal(quantity), unit)


@given(st.lists(st.tuples(quantities, units), min_size=1, max_size=5))
def test_several_cases_give_the_longest(limits: list[tuple[int, str]]) -> None:
    text = "; ".join(
        f"{letter}) Không quá {q:02d} {UNIT_PHRASES[u]} đối với trường hợp {letter}"
        for letter, (q, u) in zip("abcde", limits, strict=False)
    )
    found = limit_from_text(text)
    assert found is not None
    longest = max(ParsedLimit(Decimal(q), u).approximate_hours() for q, u in limits)
    assert found.approximate_hours() == longest


@given(st.integers(min_value=1, max_value=23))
def test_an_afternoon_cut_off_is_not_a_limit_in_hours(hour: int) -> None:
    text = f"Trả kết quả ngay trong ngày; nếu nhận sau {hour} giờ thì trả trong ngày làm việc tiếp theo"
    assert parsed(text) == (None, SAME)


@given(st.text(max_size=300))
def test_any_text_reads_without_error_and_never_to_nothing(text: str) -> None:
    found = limit_from_text(text)
    if found is not None:
        assert found.unit in {WD, DAY, HOUR, SAME}
        assert found.unit == SAME or (found.quantity is not None and found.quantity > 0)


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=200))
def test_no_digits_means_no_limit_unless_the_same_day(text: str) -> None:
    found = limit_from_text(text)
    assert found is None or found.unit == SAME
