"""Deployment checks: a production install that could not sign says so at start-up
(``migrate``, ``check``), not at the first citizen's download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError


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


@register("motcua", deploy=True)
def units_without_certificates(**kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: each unit where officers work signs what it issues with its own
    certificate. Only "none at all" was told: with 3 of 300 units configured the check was
    silent while the workers failed every other unit's receipts (a helper's operator pass)."""
    if settings.MOTCUA_SIGNING_BACKEND != "pkcs12":
        return []
    from django.utils import timezone

    from motcua.accounts.models import OfficerRole

    folder = Path(settings.MOTCUA_SIGNING_DIR) / "units"
    try:
        codes = sorted(
            set(
                OfficerRole.objects.not_ended_on(timezone.localdate()).values_list(
                    "unit__code", flat=True
                )
            )
        )
    except DatabaseError:  # not migrated yet: ``migrate`` runs the checks first
        return []
    missing = [code for code in codes if not (folder / f"{code}.p12").is_file()]
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (f" (+{len(missing) - 5})" if len(missing) > 5 else "")
    return [
        Warning(
            f"{len(missing)} of the {len(codes)} units with officers have no certificate in "
            f"{folder}: {shown}. What they issue (receipts, decisions) cannot be signed.",
            hint="Put each unit's <unit code>.p12 and <unit code>.pass there (docs/production.md).",
            id="motcua.signing.W003",
        )
    ]
