"""The dossier page's history names who acted in Vietnamese: an event no person made (a portal
submission, the scheduler) reads "hệ thống", never the stored English marker "system"."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.services import Applicant, dossier_submit
from motcua.organizations.models import Unit
from tests.dossiers.conftest import POLICE, Staff, at, residence

pytestmark = pytest.mark.django_db


def test_an_event_without_a_person_reads_he_thong(staff: Staff) -> None:
    dossier = dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=Applicant("Lê Văn Cường", "001090012345"), channel="counter",
        at=at("2026-03-02 09:00"), actor=None,
    )  # fmt: skip
    client = Client()
    client.force_login(staff.reception)
    page = client.get(f"/can-bo/ho-so/{dossier.ref}/").content.decode()
    assert "Nộp hồ sơ (hệ thống)" in page
    assert "(system)" not in page
