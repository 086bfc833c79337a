"""The population registry's record of an applicant, looked up by personal ID number against
the sandbox running as a real server: prefill, mismatches with what was typed, and the lookup in
the citizen's "ai đã dùng dữ liệu của tôi"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from motcua.common.clock import now
from motcua.integrations.registry.client import RegistryError
from motcua.integrations.registry.people import Person, as_iso, folded, mismatches, person_lookup
from motcua.integrations.registry.sandbox import RegistrySandbox
from motcua.vault.models import DataUse
from motcua.vault.services import registry_person
from tests import factories
from tests.counter import counter_post
from tests.portal.test_online_submission import WARD
from tests.portal.test_supplement_and_result import WardStaff, ward

from .conftest import registry_serving

__all__ = ["ward"]

TOKEN = "registry-lookup-token"
NUMBER = "001090066666"
DUNG = {
    "name": "Phạm Thị Dung", "birth_date": "1990-05-17", "sex": "nữ",
    "address": "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", "household": ["Phạm Văn An"],
}  # fmt: skip


@pytest.fixture
def registry(settings: Any) -> Iterator[RegistrySandbox]:
    yield from registry_serving(settings, TOKEN, {NUMBER: DUNG})


def test_the_registry_gives_the_person_and_says_when_it_holds_none(
    registry: RegistrySandbox,
) -> None:
    person = person_lookup(NUMBER)
    assert person == Person(NUMBER, DUNG["name"], "1990-05-17", "nữ", DUNG["address"],
                            ("Phạm Văn An",))  # fmt: skip
    assert person_lookup("001090000000") is None


def test_a_wrong_token_or_a_registry_down_is_an_error_not_an_empty_answer(
    registry: RegistrySandbox, settings: Any
) -> None:
    settings.MOTCUA_REGISTRY_TOKEN = "wrong"
    with pytest.raises(RegistryError) as refused:
        person_lookup(NUMBER)
    assert refused.value.status == 401
    settings.MOTCUA_REGISTRY_TOKEN = TOKEN
    registry.stop()
    with pytest.raises(RegistryError):
        person_lookup(NUMBER)


def test_what_was_typed_otherwise_is_shown_and_what_was_left_empty_is_not() -> None:
    person = Person(NUMBER, DUNG["name"], "1990-05-17", "nữ", DUNG["address"])
    typed = {"name": "Phạm Thị Dũng", "birth_date": "17/05/1990", "address": ""}
    assert mismatches(typed, person) == [("name", "Phạm Thị Dũng", "Phạm Thị Dung")]
    assert mismatches({"name": " phạm  thị DUNG ", "birth_date": "18/05/1990"}, person) == [
        ("birth_date", "18/05/1990", "1990-05-17")
    ]


@given(st.text(min_size=1, max_size=40), st.sampled_from([str.upper, str.lower, str.title]))
def test_case_and_spacing_are_never_a_mismatch(name: str, change: Any) -> None:
    person = Person(NUMBER, name, "", "", "")
    assert mismatches({"name": "  " + change(name) + " "}, person) == [] or (
        folded(change(name)) != folded(name)  # a few letters change more than case (ß, İ)
    )


@given(st.dates())
def test_a_date_typed_the_vietnamese_way_is_the_registrys(day: Any) -> None:
    assert as_iso(day.strftime("%d/%m/%Y")) == day.isoformat() or day.year < 1000


@pytest.mark.django_db
def test_each_lookup_is_in_the_citizens_log(registry: RegistrySandbox, ward: WardStaff) -> None:
    person = registry_person(NUMBER, ward.reception, now())
    assert person is not None
    assert person.name == DUNG["name"]
    assert registry_person("001090000000", ward.reception, now()) is None
    uses = DataUse.objects.filter(what=DataUse.What.REGISTRY).order_by("pk")
    assert [u.owner_id_number for u in uses] == [NUMBER, "001090000000"]
    assert uses[0].user == ward.reception
    assert uses[0].unit_name  # the officer's unit, as the citizen reads it
    assert uses[0].registry_record == f"population/people/{NUMBER}"


@pytest.mark.django_db
def test_without_a_registry_nothing_is_looked_up_or_logged(settings: Any) -> None:
    settings.MOTCUA_REGISTRY_URL = ""
    officer = factories.officer("hn-phuong-hoan-kiem", "reception")
    assert registry_person(NUMBER, officer, now()) is None
    assert not DataUse.objects.exists()


@pytest.mark.django_db
def test_the_counter_form_prefills_and_shows_what_differs(
    registry: RegistrySandbox, ward: WardStaff
) -> None:
    officer = Client()
    officer.force_login(ward.reception)
    form = {"procedure": "1.001193", "unit": WARD, "id_number": NUMBER, "lookup": "1"}
    typed = form | {"name": "Phạm Thị Dũng", "birth_date": "17/05/1990"}
    page = counter_post(officer, typed).content.decode()
    assert 'id="registry-person"' in page
    assert DUNG["address"] in page  # prefilled, and shown
    assert 'value="12 Hàng Bạc' in page
    mismatch = page.split('id="registry-mismatches"')[1].split("</div>")[0]
    assert "Phạm Thị Dũng" in mismatch
    assert "Phạm Thị Dung" in mismatch
    assert "Ngày sinh" not in mismatch  # the date agrees
    # A number the registry does not hold is said so; nothing is prefilled.
    other = counter_post(officer, form | {"id_number": "001090000000"})
    assert "không có số định danh này" in other.content.decode()
    # The citizen verified through VNeID reads the lookup under "ai đã dùng dữ liệu của tôi";
    # an account that only typed the number at sign-up does not.
    citizen = factories.citizen(NUMBER, "0912333444")
    mine = Client()
    mine.force_login(citizen)
    assert ward.reception.get_full_name() not in mine.get(reverse("vault:my-uses")).content.decode()
    citizen.citizen_profile.identity_level = 2
    citizen.citizen_profile.identity_verified_at = now()
    citizen.citizen_profile.save()
    uses = mine.get(reverse("vault:my-uses")).content.decode().split('id="data-uses"')[1]
    assert ward.reception.get_full_name() in uses
    assert DataUse.objects.filter(owner_id_number=NUMBER, what=DataUse.What.REGISTRY).count() == 1


@pytest.mark.django_db
def test_a_registry_down_is_said_to_the_officer_not_a_500(
    registry: RegistrySandbox, ward: WardStaff
) -> None:
    registry.stop()
    officer = Client()
    officer.force_login(ward.reception)
    form = {"procedure": "1.001193", "unit": WARD, "id_number": NUMBER, "lookup": "1"}
    response = counter_post(officer, form | {"name": "Phạm Thị Dung"})
    assert response.status_code == 200
    assert "Không tra được cơ sở dữ liệu dân cư" in response.content.decode()
    assert 'value="Phạm Thị Dung"' in response.content.decode()


@pytest.mark.django_db
def test_the_counter_reads_the_registrys_dates_as_dd_mm_yyyy(
    registry: RegistrySandbox, ward: WardStaff
) -> None:
    """The registry writes 1990-05-17; the counter's field and its differences say 17/05/1990."""
    officer = Client()
    officer.force_login(ward.reception)
    form = {"procedure": "1.001193", "unit": WARD, "id_number": NUMBER, "lookup": "1"}
    empty = counter_post(officer, form).content.decode()
    assert 'value="17/05/1990"' in empty
    wrong = counter_post(officer, form | {"birth_date": "18/05/1990"})
    differs = wrong.content.decode().split('id="registry-mismatches"')[1].split("</div>")[0]
    assert "17/05/1990" in differs
    assert "1990-05-17" not in differs
