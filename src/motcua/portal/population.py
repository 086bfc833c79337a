"""The e-form's prefill from the population registry (CSDL quốc gia về dân cư), issue 15.

A VNeID-verified citizen (level 2, ``accounts.permissions.identity_verified``) finds the
applicant's name, date of birth, sex and permanent address filled in from the registry's record
of their own number — the same lookup the counter makes (``dossiers.extensions.DATA``; the data
store logs it in "ai đã dùng dữ liệu của tôi"). An unverified account is never given registry
data: no lookup is made for it. What the citizen types wins over the prefill; a dossier sent from
a prefilled draft records that registry data was used for it (the 766 flag ``population_data``).
"""

from __future__ import annotations

from typing import Any

from motcua.accounts import permissions
from motcua.common import clock
from motcua.dossiers import extensions
from motcua.dossiers.models import Dossier
from motcua.integrations.registry.people import same

from .models import Draft

# E-form field of the applicant's block → the registry's field.
FIELDS = {"ho_ten": "name", "ngay_sinh": "birth_date", "gioi_tinh": "sex", "noi_cu_tru": "address"}
SEXES = {"nam": "Nam", "nữ": "Nữ", "nu": "Nữ"}


def record_of(user: Any) -> dict[str, str] | None:
    """The registry's record of the account's own number, for a verified citizen only."""
    if not permissions.identity_verified(user):
        return None
    answer = extensions.DATA.own_record(user, clock.now())
    if answer is None or not answer.found:
        return None
    return dict(answer.held)


def applicant_values(schema: dict[str, Any], held: dict[str, str]) -> dict[str, str]:
    """The registry's values, placed in the fields the e-form's applicant block asks."""
    block = schema.get("properties", {}).get("nguoi_yeu_cau", {})
    asked = block.get("properties", {}) if isinstance(block, dict) else {}
    values = {field: str(held.get(source) or "").strip() for field, source in FIELDS.items()}
    values["gioi_tinh"] = SEXES.get(values["gioi_tinh"].casefold(), "")
    return {field: value for field, value in values.items() if value and field in asked}


def answer_with(
    answer: dict[str, Any], schema: dict[str, Any], held: dict[str, str] | None
) -> dict[str, Any]:
    """``answer`` (what the account knows) with the registry's record over it."""
    values = applicant_values(schema, held) if held else {}
    if not values:
        return answer
    return {**answer, "nguoi_yeu_cau": {**answer.get("nguoi_yeu_cau", {}), **values}}


def used_at_submit(dossier: Dossier, draft: Draft, user: Any, at: Any) -> bool:
    """The dossier of a draft the registry prefilled records the use, with each prefilled value
    the citizen changed (checked again by the store: the account must still be verified for the
    dossier's number)."""
    profile = getattr(user, "citizen_profile", None)
    if draft.registry_prefilled_at is None or profile is None:
        return False
    changed = differences(draft)
    return extensions.DATA.registry_used(dossier, profile.id_number, user, "online", at, changed)


def differences(draft: Draft) -> list[tuple[str, str, str]]:
    """(registry field, sent, registry) for each prefilled value the citizen changed: the
    officer checks it against the papers, as at the counter."""
    sent = (draft.eform_data or {}).get("nguoi_yeu_cau", {})
    found = []
    for field, held in (draft.registry_prefill or {}).items():
        typed = str(sent.get(field) or "").strip() if isinstance(sent, dict) else ""
        if typed and field in FIELDS and not same(FIELDS[field], typed, str(held)):
            found.append((FIELDS[field], typed, str(held)))
    return found
