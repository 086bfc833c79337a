"""A production install that could not sign says so when it starts (`motcua check`, migrate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.signing.checks import signing_configuration, units_without_certificates
from tests import factories


def ids(settings: Any) -> list[str]:
    return [message.id for message in signing_configuration()]


def test_production_with_the_test_ca_is_an_error(settings: Any) -> None:
    settings.EMBEDDED = False
    settings.MOTCUA_SIGNING_BACKEND = "test-ca"
    assert "motcua.signing.E001" in ids(settings)


def test_production_without_certificates_is_warned(settings: Any, tmp_path: Path) -> None:
    settings.EMBEDDED = False
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = tmp_path
    assert ids(settings) == ["motcua.signing.W001", "motcua.signing.W002"]


def test_the_embedded_demo_needs_nothing(settings: Any) -> None:
    settings.EMBEDDED = True
    settings.MOTCUA_SIGNING_BACKEND = "test-ca"
    assert ids(settings) == []


@pytest.mark.django_db
def test_the_deploy_check_names_the_units_with_officers_but_no_certificate(
    settings: Any, tmp_path: Path
) -> None:
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = tmp_path
    (tmp_path / "units").mkdir()
    wards = ["hn-phuong-hoan-kiem", "hn-phuong-ba-dinh", "hn-phuong-tay-ho"]
    for code in wards:
        factories.officer(code, Role.RECEPTION)
    (tmp_path / "units" / f"{wards[0]}.p12").write_bytes(b"pkcs12")
    (message,) = units_without_certificates()
    assert message.id == "motcua.signing.W003"
    assert message.msg.startswith("2 of the 3 units with officers have no certificate")
    assert wards[1] in message.msg
    assert wards[2] in message.msg
    assert wards[0] not in message.msg
    for code in wards[1:]:
        (tmp_path / "units" / f"{code}.p12").write_bytes(b"pkcs12")
    assert units_without_certificates() == []
    settings.MOTCUA_SIGNING_BACKEND = "test-ca"
    (tmp_path / "units" / f"{wards[1]}.p12").unlink()
    assert units_without_certificates() == [], "the test CA signs for every unit"
