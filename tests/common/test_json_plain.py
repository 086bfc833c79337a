"""orjson where it writes what ``json`` writes; ``json`` for the rest (``common.json_plain``)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.common.json_plain import json_text, plain_json, sorted_key_bytes
from tests.dossiers.test_audit_encoding import values  # with floats and Decimals


def surrogate_free(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def json_s_own(value: Any) -> str | None:
    """``json.dumps(value)``, None where it cannot write the value (a Decimal)."""
    try:
        return json.dumps(value)
    except TypeError:
        return None


@given(values)
def test_the_text_reads_back_as_json_s_own(value: Any) -> None:
    expected = json_s_own(value)
    if expected is None:
        with pytest.raises(TypeError):
            json_text(value)
        return
    assert json.loads(json_text(value)) == json.loads(expected)


@given(values)
def test_plain_values_are_written_by_orjson_and_others_by_json(value: Any) -> None:
    if json_s_own(value) is None:
        return
    text = json_text(value)
    if plain_json(value) and surrogate_free(value) and plain_in_range(value):
        assert text == orjson.dumps(value).decode()
    else:
        assert text == json.dumps(value)


def plain_in_range(value: Any) -> bool:
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        return False
    return True


def test_floats_and_times_are_not_plain() -> None:
    moment = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    for value in (1e16, [1, 2.5], {"at": moment}, {"d": moment.date()}):
        assert not plain_json(value)
    assert json_text({"x": 1e16}) == '{"x": 1e+16}'


@given(st.dictionaries(st.text(), values, max_size=6), st.randoms())
def test_equal_lines_have_one_key_whatever_the_order_of_their_fields(
    line: dict[str, Any], random: Any
) -> None:
    names = list(line)
    random.shuffle(names)
    assert sorted_key_bytes({name: line[name] for name in names}) == sorted_key_bytes(line)


@given(values, values)
def test_lines_that_json_writes_apart_have_keys_apart(one: Any, other: Any) -> None:
    if json.dumps(one, sort_keys=True, default=str) != json.dumps(
        other, sort_keys=True, default=str
    ):
        assert sorted_key_bytes(one) != sorted_key_bytes(other)


def test_a_container_subclass_is_left_to_json() -> None:
    """A subclass may change what ``json`` iterates; orjson would not ask it."""

    class Reordered(dict):  # type: ignore[type-arg]
        def items(self):  # type: ignore[no-untyped-def]
            return reversed(list(super().items()))

    class Doubled(list):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter([*super().__iter__(), *super().__iter__()])

    for value in (Reordered(a=1, b=2), [Doubled([1])], {"x": Doubled(["y"])}):
        assert not plain_json(value)
        assert json_text(value) == json.dumps(value)
