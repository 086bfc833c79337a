"""Constants of the code written into a shaped query's SQL (``common.written_sql``, decision
0047): the same rows as Django's queryset for any values, the written texts in the statement as
literals and only those, never a text that could leave its quotes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q, QuerySet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.common.prepared import ShapedQuery
from motcua.common.written_sql import is_written, written_into
from motcua.organizations.models import Unit

pytestmark = pytest.mark.django_db
KINDS = frozenset({"ward", "commune", "department", "district"})


def units_built(extra: Any, conditions: list[Q | None]) -> QuerySet[Unit, Any]:
    found = Unit.objects.all()
    for condition in conditions:
        if condition is not None:
            found = found.filter(condition)
    return found.order_by("pk").values("pk", "code", "kind")


def test_only_plain_texts_of_the_set_are_written() -> None:
    sql = "SELECT 1 WHERE a = %s AND b %% 7 = 0 AND c IN (%s, %s) AND d = %s"
    params = ["ward", "ward", "it's", 7]
    done = written_into(sql, params, keep={1}, written=frozenset({"ward", "it's"}))
    assert done is not None
    text, left, moved = done
    # The first "ward" is a constant: written. The second is a request's value (kept). A text
    # with a quote is never written, even in the set; a number is not a text of the set.
    assert text == "SELECT 1 WHERE a = 'ward' AND b %% 7 = 0 AND c IN (%s, %s) AND d = %s"
    assert left == ["ward", "it's", 7]
    assert moved == {1: 0, 2: 1, 3: 2}
    assert not is_written("it's", frozenset({"it's"}))
    assert not is_written("", frozenset({""}))


class Sly(str):
    def __format__(self, spec: str) -> str:
        return "x') OR ('1'='1"

    def __str__(self) -> str:
        return self.__format__("")


def test_what_is_written_is_the_text_that_was_checked() -> None:
    """A subclass that formats itself otherwise, or an enum member, is written as its
    characters; a statement that has quotes already is left alone (a placeholder between
    quotes would not be one)."""
    done = written_into("a = %s", [Sly("ward")], set(), frozenset({"ward"}))
    assert done is not None
    assert done[0] == "a = 'ward'"
    assert written_into("a = '%s' AND b = %s", ["ward"], set(), frozenset({"ward"})) is None


def test_a_statement_whose_placeholders_do_not_match_is_left_alone() -> None:
    assert written_into("a = %s", ["ward", "ward"], set(), frozenset({"ward"})) is None
    assert written_into("a = %s AND b = %s", ["ward"], set(), frozenset({"ward"})) is None


@given(
    params=st.lists(
        st.one_of(st.sampled_from(sorted(KINDS)), st.text(max_size=6), st.integers()),
        max_size=8,
    ),
    kept=st.sets(st.integers(0, 7)),
)
def test_written_and_left_parameters_rebuild_the_statement(params: list[Any], kept: set[int]) -> None:  # fmt: skip
    """Putting the parameters left back into the new text, and the original ones into the old,
    gives the same statement: nothing lost, moved or written that should not be."""
    sql = " , ".join(f"c{i} = %s" for i in range(len(params)))  # "%%": the test above
    done = written_into(sql, params, kept, KINDS)
    assert done is not None
    text, left, moved = done
    assert len(left) == text.count("%s")
    expected = sql % tuple(repr(p) for p in params)
    rebuilt = text % tuple(repr(p) for p in left)
    assert rebuilt.replace("'", '"') == expected.replace("'", '"')
    for position in kept & set(range(len(params))):
        assert left[moved[position]] is params[position]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_the_rows_are_django_s_with_the_kinds_written(data: st.DataObject) -> None:
    shaped = ShapedQuery(units_built, written=KINDS)
    ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:40])
    kinds = data.draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=3, unique=True))
    above = data.draw(st.sampled_from(ids))
    code = data.draw(st.sampled_from(["hn-phuong-hoan-kiem", "zzz", "ward"]))
    conditions: list[Q | None] = [Q(kind__in=kinds) & Q(pk__gt=above), Q(code__gte=code)]
    for _ in range(2):  # learned, then run from what was learned
        assert shaped.values(None, conditions) == list(units_built(None, conditions))
    learned = [s for s in shaped.known(connection_of(shaped)).values() if s is not None]
    assert learned
    for statement in learned:
        for kind in kinds:
            assert f"'{kind}'" in statement.sql
        # Any other text stays a parameter. (A text of the set is written wherever it comes
        # from: it can only be one of the set's plain texts, and it makes one more shape.)
        assert f"'{code}'" not in statement.sql or code in KINDS


def connection_of(shaped: ShapedQuery) -> Any:
    from django.db import connections

    return connections[shaped.using]
