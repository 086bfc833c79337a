"""Statements built once with stand-ins: each run puts its own values where the stand-ins went,
and a value the builder wrote into the text or changed on the way is refused."""

from __future__ import annotations

import pytest

from motcua.supervision import statements
from motcua.supervision.models import DossierFact
from motcua.supervision.statements import padded, template_made

pytestmark = pytest.mark.django_db


def facts_between(values: list[int]) -> tuple[str, list]:
    low, high = values
    query = DossierFact.objects.filter(received__gte=low, received__lt=high, channel="online")
    sql, params = query.values("dossier_id").query.sql_with_params()
    return sql, list(params)


def test_each_run_takes_its_own_values() -> None:
    template = template_made(facts_between, 2)
    assert template.bound([10, 20]).count("online") == 1
    assert {10, 20} <= set(template.bound([10, 20]))
    assert {30, 40} <= set(template.bound([30, 40]))
    assert 10 not in template.bound([30, 40])


def test_a_value_written_into_the_text_is_refused() -> None:
    def written(values: list[int]) -> tuple[str, list]:
        return f"SELECT {values[0]} WHERE %s", [values[1]]

    with pytest.raises(ValueError, match="text"):
        template_made(written, 2)


def test_a_value_changed_on_its_way_is_refused() -> None:
    def changed(values: list[int]) -> tuple[str, list]:
        return facts_between([values[0] - 1, values[1]])

    with pytest.raises(ValueError, match="changed"):
        template_made(changed, 2)


def test_a_kept_statement_runs_with_new_values() -> None:
    built: list[list[int]] = []

    def build(values: list[int]) -> tuple[str, list]:
        built.append(values)
        sql, params = facts_between(values)
        return f"DELETE FROM supervision_dossierfact WHERE dossier_id IN ({sql})", params

    statements.run(("test-delete",), build, [1, 2])
    statements.run(("test-delete",), build, [3, 4])
    assert len(built) == 1


@pytest.mark.parametrize(("count", "size"), [(1, 1), (2, 2), (3, 4), (5, 8), (1000, 1024)])
def test_ids_are_padded_to_a_power_of_two_with_the_last(count: int, size: int) -> None:
    ids = list(range(100, 100 + count))
    assert padded(ids) == ids + [ids[-1]] * (size - count)
