"""The 766 flags of each dossier in ``export-dossiers``: digitised at the counter, electronic
result, identity verified through VNeID at submission, population data used."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

from django.test import Client

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers.bulk.export import dossiers_export
from motcua.dossiers.models import Dossier
from motcua.vault.models import DataUse
from motcua.vault.services import uses_log
from tests.portal.test_online_submission import browser, citizen, media
from tests.portal.test_supplement_and_result import WardStaff, decided, ward
from tests.vault.test_counter_digitised import NUMBER, paper, scan, waiting
from tests.vault.test_vault import certified

__all__ = ["browser", "citizen", "media", "ward"]


def exported() -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    dossiers_export(out, at=now())
    return {row["ref"]: row for row in map(json.loads, out.getvalue().splitlines())}


def verify(user: User, at: datetime.datetime) -> None:
    profile = user.citizen_profile
    profile.identity_level, profile.identity_verified_at = 2, at
    profile.save()


def test_an_electronic_result_for_a_verified_account(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    verify(citizen, now() - datetime.timedelta(days=1))
    online = certified(browser, ward)
    rows = exported()
    assert rows[online.ref]["electronic_result"] is True
    assert rows[online.ref]["identity_verified"] is True
    assert rows[online.ref]["digitised"] is False
    assert rows[online.ref]["population_data"] is False
    # Verified only after submitting: the dossier was not sent by a verified identity.
    verify(citizen, now() + datetime.timedelta(minutes=5))
    assert exported()[online.ref]["identity_verified"] is False
    # Level 1 (a password account) is never verified.
    citizen.citizen_profile.identity_level = 1
    citizen.citizen_profile.identity_verified_at = now() - datetime.timedelta(days=1)
    citizen.citizen_profile.save()
    assert exported()[online.ref]["identity_verified"] is False


def test_a_granted_online_dossier_without_its_result_file_has_no_electronic_result(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    dossier = decided(browser, ward)
    assert exported()[dossier.ref]["electronic_result"] is False


def test_a_counter_dossier_scanned_and_looked_up_in_the_registry(
    ward: WardStaff, media: Path
) -> None:
    scanned = s.dossier_receive(dossier=waiting(ward), actor=ward.reception, at=now())
    plain = s.dossier_receive(dossier=waiting(ward), actor=ward.reception, at=now())
    scan(ward, scanned, paper("so ho khau"))
    uses_log(
        ("person", NUMBER), [], dossier=scanned, user=ward.reception, what=DataUse.What.REGISTRY,
        at=now(), registry_record="CSDLQGDC " + NUMBER,
    )  # fmt: skip
    rows = exported()
    assert rows[scanned.ref]["digitised"] is True
    assert rows[scanned.ref]["population_data"] is True
    assert rows[scanned.ref]["identity_verified"] is False  # no account at the counter
    assert rows[scanned.ref]["electronic_result"] is False
    assert not any(rows[plain.ref][flag] for flag in ("digitised", "population_data"))
    assert Dossier.objects.count() == 2
