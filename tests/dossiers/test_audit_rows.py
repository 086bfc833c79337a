"""``audit_rows.chain_intact`` confirms exactly the chains ``audit.chain_problems`` finds
nothing wrong with, on the scan's plain rows: every chain the kernel writes, and none that was
changed afterwards in any field, reordered, cut short or sealed with a key we lack."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.audit import chain_problems, event_mac
from motcua.dossiers.audit_keys import chain_keys
from motcua.dossiers.audit_rows import DOSSIER_ROW, EVENT_ROW, chain_intact
from motcua.dossiers.audit_stream import SealedDossier, SealedEvent, chains
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_consult, dossier_forward
from motcua.organizations.models import Unit

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db

Row = tuple[Any, ...]


def rows_of(dossiers: list[Dossier]) -> list[tuple[Row, list[Row]]]:
    """The dossiers' chains as the scan reads them (plain rows)."""
    ids = [d.pk for d in dossiers]
    with transaction.atomic():
        return list(
            chains(
                Dossier.objects.filter(pk__in=ids), DossierEvent.objects.filter(dossier_id__in=ids)
            )
        )


def exact_intact(row: Row, events: list[Row]) -> bool:
    named = [SealedEvent._make(event) for event in events]
    return chain_problems(SealedDossier._make(row), named, chain_keys(create=False)) == []


@pytest.fixture
def written(staff: Staff) -> list[tuple[Row, list[Row]]]:
    """Chains of one, two and four events, one with a payload of its own (a consultation)."""
    first = received(staff)
    second = dossier_forward(dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00"))  # fmt: skip
    third = dossier_consult(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 11:00"),
        unit=Unit.objects.get(code="hn-so-tu-phap"), question="Xác minh nơi ở: \"số 5\", ngõ 12",
    )  # fmt: skip
    return rows_of([first, second, third])


def test_every_chain_the_kernel_writes_is_confirmed(written: list[tuple[Row, list[Row]]]) -> None:
    keys = chain_keys(create=False)
    assert keys is not None
    assert [len(events) for _row, events in written] == [2, 3, 3]
    assert any(event[EVENT_ROW.index("payload_text")] != "{}" for _r, e in written for event in e)
    for row, events in written:
        assert exact_intact(row, events)
        assert chain_intact(row, events, keys)


def changed(value: Any) -> Any:
    """Another value of the same kind (a tamperer's edit)."""
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x" if not value.startswith("{") else '{"x": 1}'
    return None


def resealed(row: Row, event: Row, secrets: dict[str, bytes]) -> Row:
    """``event`` with another reason and a seal that matches it."""
    named = SealedEvent._make(event)._replace(reason=event[EVENT_ROW.index("reason")] + " (sửa)")
    mac = event_mac(row[DOSSIER_ROW.index("ref")], named, secrets[named.key_id])
    return tuple(named._replace(hash=mac))


EDITABLE_EVENT = [name for name in EVENT_ROW if name != "dossier_id"]
EDITABLE_DOSSIER = [name for name in DOSSIER_ROW if name != "id"]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_chain_changed_in_any_way_is_never_confirmed(
    written: list[tuple[Row, list[Row]]], data: st.DataObject
) -> None:
    keys = chain_keys(create=False)
    assert keys is not None
    row, events = data.draw(st.sampled_from(written))
    events = list(events)
    how = data.draw(
        st.sampled_from(["event", "dossier", "drop", "swap", "unknown key", "resealed"])
    )
    if how == "event":
        position = data.draw(st.integers(0, len(events) - 1))
        name = data.draw(st.sampled_from(EDITABLE_EVENT))
        column = EVENT_ROW.index(name)
        edited = list(events[position])
        edited[column] = changed(edited[column])
        events[position] = tuple(edited)
    elif how == "dossier":
        name = data.draw(st.sampled_from(EDITABLE_DOSSIER))
        column = DOSSIER_ROW.index(name)
        row = tuple(changed(value) if i == column else value for i, value in enumerate(row))
    elif how == "drop":
        del events[data.draw(st.integers(0, len(events) - 1))]
    elif how == "swap":
        events[0], events[-1] = events[-1], events[0]
    elif how == "resealed":  # an event rewritten by someone with the key: the next one's link
        position = data.draw(st.integers(0, len(events) - 2))
        events[position] = resealed(row, events[position], keys.by_id)
    else:
        key = EVENT_ROW.index("key_id")
        events = [(*e[:key], "nobody's", *e[key + 1 :]) for e in events]
    # Confirmed only what the exact check calls intact; every edit above breaks something.
    assert chain_intact(row, events, keys) is False
    assert not exact_intact(row, events)
