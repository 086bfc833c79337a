"""Registry data in the e-form and on the dossier (issue 15): a VNeID-verified citizen's e-form
is prefilled from the population registry (the sandbox, a real server); an unverified account
never gets registry data; a dossier built on registry data — the e-form's prefill or the
counter's lookup — carries the 766 flag ``population_data``."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.dossiers.models import Dossier
from motcua.integrations.registry.sandbox import RegistrySandbox
from motcua.portal.models import Draft
from motcua.vault.export import population_data
from motcua.vault.models import DataUse
from tests.counter import counter_post
from tests.portal.test_online_submission import (
    BIRTH,
    BIRTH_ANSWER,
    WARD,
    birth,
    browser,
    citizen,
    fill,
    media,
    page,
    start,
    submit,
)
from tests.portal.test_supplement_and_result import WardStaff, ward

from .conftest import registry_serving

__all__ = ["browser", "citizen", "media", "ward"]

TOKEN = "registry-prefill-token"
NUMBER = "001190001234"  # the citizen fixture's number
COUNTER_NUMBER = "001090066666"
HOA = {
    "name": "Nguyễn Thị Hoa", "birth_date": "1990-05-17", "sex": "nữ",
    "address": "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", "household": ["Nguyễn Văn Nam"],
}  # fmt: skip


@pytest.fixture
def registry(settings: Any) -> Iterator[RegistrySandbox]:
    people = {NUMBER: HOA, COUNTER_NUMBER: {**HOA, "name": "Phạm Thị Dung"}}
    yield from registry_serving(settings, TOKEN, people)


def verify(user: User) -> None:
    profile = user.citizen_profile
    profile.identity_level, profile.identity_verified_at = 2, now() - datetime.timedelta(days=1)
    profile.save()


def flagged(dossier: Dossier) -> bool:
    return dossier.pk in population_data(dossier.pk, dossier.pk)


def test_a_verified_citizens_eform_is_prefilled_from_the_registry(
    registry: RegistrySandbox, browser: Client, citizen: User, media: Path
) -> None:
    verify(citizen)
    preview = browser.get(reverse("portal:online-start", kwargs={"code": BIRTH})).content.decode()
    assert 'id="registry-prefilled"' in preview
    assert HOA["address"] in preview
    assert HOA["name"] in preview
    draft = start(browser)
    assert draft.registry_prefilled_at is not None
    applicant = draft.eform_data["nguoi_yeu_cau"]
    assert applicant["ho_ten"] == HOA["name"]
    assert applicant["ngay_sinh"] == "1990-05-17"
    assert applicant["gioi_tinh"] == "Nữ"
    assert applicant["noi_cu_tru"] == HOA["address"]
    # Each lookup is the citizen's own, in "ai đã dùng dữ liệu của tôi".
    looked = DataUse.objects.filter(what=DataUse.What.REGISTRY, owner_id_number=NUMBER)
    assert set(looked.values_list("user", flat=True)) == {citizen.pk}
    fill(browser, draft)
    assert submit(browser, draft).status_code == 302
    dossier = Dossier.objects.get(procedure=birth())
    assert flagged(dossier)
    assert looked.filter(dossier=dossier).count() == 1


def test_an_unverified_account_never_gets_registry_data(
    registry: RegistrySandbox, browser: Client, citizen: User, media: Path
) -> None:
    preview = browser.get(reverse("portal:online-start", kwargs={"code": BIRTH})).content.decode()
    assert HOA["address"] not in preview
    assert 'id="registry-prefilled"' not in preview
    draft = start(browser)
    assert draft.registry_prefilled_at is None
    assert "ngay_sinh" not in draft.eform_data["nguoi_yeu_cau"]
    assert "noi_cu_tru" not in draft.eform_data["nguoi_yeu_cau"]
    fill(browser, draft)
    submit(browser, draft)
    assert not flagged(Dossier.objects.get(procedure=birth()))
    assert not DataUse.objects.exists()  # not even looked up


def test_a_draft_marked_prefilled_flags_nothing_once_the_account_is_no_longer_verified(
    registry: RegistrySandbox, browser: Client, citizen: User, media: Path
) -> None:
    verify(citizen)
    draft = start(browser)
    citizen.citizen_profile.identity_level = 0
    citizen.citizen_profile.save()
    fill(browser, draft)
    submit(browser, draft)
    assert Draft.objects.get(pk=draft.pk).registry_prefilled_at is not None
    assert not flagged(Dossier.objects.get(procedure=birth()))


def counter_form(**extra: str) -> dict[str, str]:
    # death registration: the ward receives it (1.004222 is its police's, competence is checked)
    return {"procedure": "1.000656", "unit": WARD, "name": "Phạm Thị Dung",
            "id_number": COUNTER_NUMBER, **extra}  # fmt: skip


def test_a_counter_dossier_received_from_the_registrys_prefill_is_flagged(
    registry: RegistrySandbox, ward: WardStaff
) -> None:
    officer = Client()
    officer.force_login(ward.reception)
    looked = counter_post(officer, counter_form(lookup="1")).content.decode()
    hidden = re.search(r'name="registry_id_number" value="([0-9 ]+)"', looked)
    assert hidden is not None
    counter_post(officer, counter_form(registry_id_number=hidden.group(1)))
    dossier = Dossier.objects.get(applicant_id_number=COUNTER_NUMBER)
    assert flagged(dossier)
    use = DataUse.objects.get(dossier=dossier)
    assert (use.what, use.user) == (DataUse.What.REGISTRY, ward.reception)


def test_a_counter_dossier_never_looked_up_is_not_flagged_whatever_the_form_says(
    registry: RegistrySandbox, ward: WardStaff
) -> None:
    officer = Client()
    officer.force_login(ward.reception)
    forged = counter_form(registry_id_number=COUNTER_NUMBER)
    counter_post(officer, forged)
    plain = counter_form(name="Lê Văn Cường", id_number="001090077777")
    counter_post(officer, plain)
    for dossier in Dossier.objects.all():
        assert not flagged(dossier)
    assert Dossier.objects.count() == 2


def test_a_prefilled_value_the_citizen_changed_is_shown_to_the_officer(
    registry: RegistrySandbox, browser: Client, citizen: User, media: Path, ward: WardStaff
) -> None:
    verify(citizen)
    draft = start(browser)
    fill(browser, draft)
    retyped = {"unit": WARD, **BIRTH_ANSWER, "nguoi_yeu_cau.ho_ten": "Nguyễn Thị Hòa", "send": "1"}
    assert browser.post(page(draft), retyped).status_code == 302
    dossier = Dossier.objects.get(procedure=birth())
    officer = Client()
    officer.force_login(ward.reception)
    html = officer.get(reverse("dossiers:detail", args=[dossier.ref])).content.decode()
    block = html.split('id="registry-differences"')[1].split("</div>")[0]
    assert "Họ và tên" in block
    assert "Nguyễn Thị Hòa" in block
    assert HOA["name"] in block


def test_values_sent_as_prefilled_raise_no_warning(
    registry: RegistrySandbox, browser: Client, citizen: User, media: Path, ward: WardStaff
) -> None:
    verify(citizen)
    draft = start(browser)
    fill(browser, draft)
    submit(browser, draft)
    dossier = Dossier.objects.get(procedure=birth())
    officer = Client()
    officer.force_login(ward.reception)
    html = officer.get(reverse("dossiers:detail", args=[dossier.ref])).content.decode()
    assert 'id="registry-differences"' not in html
