"""Deployment checks: a production install that could not sign says so at start-up
(``migrate``, ``check``), not at the first citizen's download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register("motcua")
def signing_configuration(**kwargs: Any) -> list[CheckMessage]:
    backend = settings.MOTCUA_SIGNING_BACKEND
    folder = Path(settings.MOTCUA_SIGNING_DIR)
    found: list[CheckMessage] = []
    if backend == "test-ca" and not settings.EMBEDDED:
        found.append(
            Error(
                "Production mode refuses the test CA (MOTCUA_SIGNING_BACKEND=test-ca).",
                hint="Set MOTCUA_SIGNING_BACKEND=pkcs12 and put each unit's PKCS#12 in "
                "MOTCUA_SIGNING_DIR/units/<unit code>.p12.",
                id="motcua.signing.E001",
            )
        )
    if backend == "pkcs12":
        if not any((folder / "units").glob("*.p12")):
            found.append(
                Warning(
                    f"No unit certificate in {folder / 'units'}: issuing a form will fail "
                    "until the unit's <unit code>.p12 is there.",
                    id="motcua.signing.W001",
                )
            )
        if not any((folder / "trust").glob("*")):
            found.append(
                Warning(
                    f"No trusted root certificate in {folder / 'trust'}: the verification page "
                    "will call every signature 'unknown signer'.",
                    id="motcua.signing.W002",
                )
            )
    return found
