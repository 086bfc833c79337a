"""A production install that could not sign says so when it starts (`motcua check`, migrate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from motcua.signing.checks import signing_configuration


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
