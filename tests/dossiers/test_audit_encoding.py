"""The seal's fast encoder writes exactly the bytes of the reference ``json.dumps`` form."""

from __future__ import annotations

import datetime
import enum
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.audit import (
    canonical,
    dumps,
    dumps_flat,
    dumps_quick,
    dumps_sealed,
    time_text,
)
from motcua.dossiers.constants import Status

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def reference(content: Any) -> bytes:
    """The form every seal was written in (decision 0009)."""
    return json.dumps(
        content, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")
    ).encode()


@given(st.dictionaries(st.text(), values, max_size=12))
def test_flat_dicts_encode_as_the_reference_form(content: dict[str, Any]) -> None:
    assert dumps_flat(content) == dumps(content) == reference(content)


pairs = st.lists(st.one_of(st.none(), st.text(), st.integers()), min_size=0, max_size=3)


@given(st.dictionaries(st.sampled_from(["from", "to", "x"]), pairs, max_size=3))
def test_pairs_of_steps_encode_as_the_reference_form(content: dict[str, Any]) -> None:
    assert dumps_flat(content) == reference(content)


def test_text_choices_and_times_encode_as_the_reference_form() -> None:
    from motcua.dossiers.constants import Status

    moment = datetime.datetime(
        2026, 3, 2, 9, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=7))
    )
    content = {"status": Status.RECEIVED, "at": canonical(moment), "fee": Decimal("1.50"),
               "đơn vị": "Phường Hoàn Kiếm \u2028\x00", "seq": 3, "items": ["a", {"b": None}]}  # fmt: skip
    assert dumps_flat(content) == dumps(content) == reference(content)
    assert json.loads(dumps_flat(content))["at"] == "2026-03-02T02:05:00.000000+00:00"


# What a seal covers when it is read back from the database, in orjson's range.
readable = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**64 - 1), st.text()
)
readable_values = st.recursive(
    readable,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), readable_values, max_size=12))
def test_the_quick_encoder_writes_the_reference_form(content: dict[str, Any]) -> None:
    assert dumps_quick(content) == reference(content)


def holds_a_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(holds_a_float(part) for part in value.values())
    if isinstance(value, list):
        return any(holds_a_float(part) for part in value)
    return isinstance(value, float)


@given(st.dictionaries(st.text(), values, max_size=12))
def test_the_quick_encoder_differs_only_by_floats_or_says_it_cannot(
    content: dict[str, Any],
) -> None:
    """Elsewhere (floats, Decimals, integers beyond 64 bits) it writes nothing, or the same, or
    a float in another form: what the exact check is there for (``audit.mac_matches``)."""
    quick = dumps_quick(content)
    assert quick is None or quick == reference(content) or holds_a_float(content)


# Values ``dumps`` writes by ``str`` and orjson in a form of its own, or refuses.
class Colour(enum.Enum):
    RED = 1.5


others = st.one_of(
    st.datetimes(timezones=st.just(datetime.UTC)), st.dates(), st.uuids(),
    st.sampled_from([Colour.RED, *Status]), st.floats(), st.integers(min_value=2**64),
)  # fmt: skip
every_value = st.recursive(
    st.one_of(scalars, others),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@given(st.dictionaries(st.text(), every_value, max_size=12))
def test_the_sealed_bytes_are_the_reference_form_whatever_the_values(
    content: dict[str, Any],
) -> None:
    """What a seal is made over: orjson's bytes only where they are the reference ones."""
    try:
        expected = reference(content)
    except UnicodeEncodeError:  # a lone surrogate: no bytes either way
        with pytest.raises(UnicodeEncodeError):
            dumps_sealed(content)
        return
    assert dumps_sealed(content) == expected


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


@given(st.lists(st.datetimes(timezones=offsets | st.just(datetime.UTC)), max_size=6))
def test_remembered_time_texts_are_the_canonical_ones(moments: list[datetime.datetime]) -> None:
    """The same instant in another zone finds the text remembered for the first: the same."""
    for moment in [*moments, *(m.astimezone(datetime.UTC) for m in moments), *moments]:
        assert time_text(moment) == canonical(moment)


def test_orjson_s_sealed_bytes_escape_and_order_as_the_reference_form() -> None:
    """Every control character, the line separators, and keys beyond the BMP, which an order
    by UTF-16 units would put before U+E000–U+FFFF: written and ordered as the reference."""
    text = "".join(map(chr, range(0x80))) + "\u2028\u2029\ufeff\U0001f600"
    content = {"\U00010000": text, "\uffff": 1, "\ue000": [True, None], "a": {"é": -(2**63)}}
    assert dumps_sealed(content) == reference(content) == dumps_quick(content)
