"""``QuickLoad.from_db`` builds the instance Django's ``Model.__init__`` would have built."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, models
from django.db.models.signals import post_init

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.models import Procedure
from motcua.common import quick_load
from motcua.common.quick_load import QuickLoad
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.organizations.models import Unit
from tests import factories
from tests.dossiers.conftest import POLICE, at

pytestmark = pytest.mark.django_db


def as_django_builds_it(model: type[models.Model], names: list[str], values: list[Any]) -> Any:
    return super(QuickLoad, model).from_db(connection.alias, names, values)  # type: ignore[misc]


def fields_of(instance: models.Model) -> dict[str, Any]:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


@pytest.fixture
def dossier(db: None) -> Dossier:
    reception = factories.officer(POLICE, Role.RECEPTION)
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    assert procedure is not None
    submitted = dossier_submit(
        procedure=procedure, receiving_unit=Unit.objects.get(code=POLICE),
        applicant=Applicant("Lê Văn Cường", "001090012345"), channel="counter",
        at=at("2026-03-02 09:00"), actor=reception,
    )  # fmt: skip
    return dossier_receive(dossier=submitted, actor=reception, at=at("2026-03-02 09:00"))


def test_a_loaded_row_is_the_instance_django_builds(dossier: Dossier) -> None:
    loaded = Dossier.objects.get(pk=dossier.pk)
    names = [f.attname for f in Dossier._meta.concrete_fields]
    built = as_django_builds_it(Dossier, names, [getattr(loaded, name) for name in names])
    assert fields_of(loaded) == fields_of(built)
    assert (loaded._state.adding, loaded._state.db) == (False, connection.alias)
    assert loaded.receiving_unit.code == POLICE  # relations load as usual
    assert loaded.get_status_display() == built.get_status_display()


def test_fields_left_out_load_on_first_use(dossier: Dossier) -> None:
    partial = Dossier.objects.only("ref", "status").get(pk=dossier.pk)
    built = as_django_builds_it(
        Dossier, ["id", "ref", "status"], [partial.pk, partial.ref, partial.status]
    )
    assert partial.get_deferred_fields() == built.get_deferred_fields()
    assert "code" in partial.get_deferred_fields()
    assert partial.code == dossier.code  # read now, as Django reads a deferred field


def test_a_loaded_instance_saves_as_an_update(dossier: Dossier) -> None:
    loaded = Dossier.objects.get(pk=dossier.pk)
    loaded.applicant_name = "Lê Văn Cường (đã sửa)"
    loaded.save(update_fields=["applicant_name"])
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get(pk=dossier.pk).applicant_name == "Lê Văn Cường (đã sửa)"


@pytest.fixture
def listened() -> Iterator[list[Any]]:
    heard: list[Any] = []

    def listener(sender: type, instance: Any, **kwargs: Any) -> None:
        heard.append(instance)

    post_init.connect(listener, sender=Unit)
    yield heard
    post_init.disconnect(listener, sender=Unit)


def test_a_model_someone_listens_to_is_built_by_django(db: None, listened: list[Any]) -> None:
    unit = Unit.objects.get(code=POLICE)
    assert listened == [unit]  # post_init was sent, as Model.__init__ sends it


def test_a_row_is_loaded_without_model_init(dossier: Dossier, monkeypatch: Any) -> None:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("Model.__init__ was called for a loaded row")

    monkeypatch.setattr(Dossier, "__init__", refuse)
    assert Dossier.objects.get(pk=dossier.pk).ref == dossier.ref


def state_of(instance: models.Model) -> tuple[Any, ...]:
    state = instance._state
    return state.adding, state.db, state.fields_cache


def test_a_new_row_is_the_instance_django_builds(dossier: Dossier) -> None:
    """``fresh`` for the rows an action writes, with related objects, ids and defaults."""
    from motcua.dossiers.models import DossierEvent, DossierStep, IssuedDocument

    officer = factories.officer(POLICE, Role.SPECIALIST)
    moment = at("2026-03-02 10:00")
    rows: list[tuple[type[QuickLoad], dict[str, Any]]] = [
        (
            DossierEvent,
            {
                "dossier": dossier,
                "seq": 3,
                "at": moment,
                "actor": officer,
                "actor_name": "a",
                "unit_id": dossier.receiving_unit_id,
                "action": "assign",
                "from_status": "received",
                "to_status": "processing",
                "payload": {"x": 1},
            },
        ),
        (
            DossierEvent,
            {"dossier": dossier, "seq": 4, "at": moment, "actor": None, "action": "approve"},
        ),
        (
            DossierStep,
            {
                "dossier": dossier,
                "order": 2,
                "name": "Thẩm định",
                "role": "specialist",
                "unit_id": dossier.receiving_unit_id,
                "started_at": moment,
                "due_at": None,
                "handed_by": officer,
                "handed_by_name": "B",
            },
        ),
        (
            IssuedDocument,
            {
                "dossier": dossier,
                "kind": "receipt",
                "unit_id": 1,
                "year": 2026,
                "seq": 7,
                "number": "7/TN",
                "issued_at": moment,
                "issued_by": None,
                "event": None,
            },
        ),
        (
            Dossier,
            {
                "ref": "HS-NEW",
                "procedure": dossier.procedure,
                "applicant_name": "C",
                "receiving_unit": dossier.receiving_unit,
                "owner": None,
            },
        ),
    ]
    for model, values in rows:
        quick, django = model.fresh(**values), model(**values)
        assert fields_of(quick) == fields_of(django), model
        assert state_of(quick) == state_of(django), model
        assert quick.__class__ is model
        assert quick_load.PLANS[model] is not None, model  # built here, not by Model.__init__


def test_what_fresh_does_not_know_is_django_s_to_refuse(dossier: Dossier) -> None:
    from motcua.dossiers.models import DossierEvent

    with pytest.raises(TypeError, match="unexpected keyword"):
        DossierEvent.fresh(dossier=dossier, colour="red")
    with pytest.raises(ValueError, match="must be a"):
        DossierEvent.fresh(dossier=dossier.receiving_unit)
    by_pk = DossierEvent.fresh(pk=5, dossier_id=dossier.pk)
    assert (by_pk.pk, by_pk.dossier_id) == (5, dossier.pk)
