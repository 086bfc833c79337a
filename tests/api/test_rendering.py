"""``api.rendering.FastJSONRenderer``: the same JSON values as the framework's renderer."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from ninja.renderers import JSONRenderer

from motcua.api.rendering import FastJSONRenderer
from motcua.dossiers.constants import Status

HANOI = datetime.timezone(datetime.timedelta(hours=7))


def both(value: Any) -> tuple[Any, Any]:
    framework = JSONRenderer().render(None, value, response_status=200)  # type: ignore[arg-type]
    ours = FastJSONRenderer().render(None, value, response_status=200)  # type: ignore[arg-type]
    return json.loads(framework), json.loads(ours)


times = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1),
    timezones=st.sampled_from([None, datetime.UTC, HANOI]),
)  # fmt: skip
leaves = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text() | times | st.dates() | st.times() | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False) | st.sampled_from(list(Status))
)  # fmt: skip
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text() | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_the_same_json_values_as_the_frameworks(value: Any) -> None:
    framework, ours = both(value)
    assert ours == framework


def test_the_forms_that_differ_from_orjsons_own_are_the_frameworks() -> None:
    at = datetime.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=HANOI)
    value = {
        "at": at, "utc": at.astimezone(datetime.UTC), "fee": Decimal("50000.00"),
        "label": gettext_lazy("Đã tiếp nhận"), "id": uuid.UUID(int=7), 3: "key", "big": 2**70, "lone": "\ud800",
    }  # fmt: skip
    framework, ours = both(value)
    assert ours == framework
    assert ours["at"] == "2026-12-07T09:30:15.123+07:00"  # milliseconds, as Django writes
    assert ours["utc"].endswith("Z")
    assert ours["fee"] == "50000.00"
    assert ours["3"] == "key"


def test_vietnamese_goes_out_as_utf8_not_escapes() -> None:
    text = FastJSONRenderer().render(None, {"name": "Đăng ký thường trú"}, response_status=200)  # type: ignore[arg-type]
    assert "Đăng ký thường trú".encode() in text
