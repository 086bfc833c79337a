"""The birth and death declarations' linked boxes ("Đăng ký thường trú cho trẻ", "Cấp thẻ BHYT",
"Xóa đăng ký thường trú", "Đề nghị trợ cấp mai táng") never pretend: a draft with one of them
ticked is not submitted as a lone dossier; the citizen is taken to the bundle form, which opens
with the services the boxes chose and the facts the declaration already holds (nothing retyped).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from motcua.accounts.models import User
from motcua.bundles.definitions import Definition

from .models import Draft
from .submission import draft_discard


@dataclass(frozen=True)
class Route:
    """A declaration that leads into a bundle: its kind, the box behind each optional service
    (the root and the always-chosen services come with the bundle), and where each fact of the
    bundle is read in the declaration (``group.field``)."""

    kind: str
    boxes: Mapping[str, str]
    facts: Mapping[str, str]


ROUTES: dict[str, Route] = {
    "1.001193": Route(
        "birth",
        {"dang_ky_thuong_tru": "permanent_residence", "cap_the_bhyt": "health_insurance_card"},
        {"child_name": "tre.ho_ten", "birth_date": "tre.ngay_sinh", "sex": "tre.gioi_tinh",
         "birth_place": "tre.noi_sinh", "mother_name": "me.ho_ten",
         "mother_id_number": "me.so_dinh_danh", "father_name": "cha.ho_ten",
         "father_id_number": "cha.so_dinh_danh", "residence_address": "nguoi_yeu_cau.noi_cu_tru"},
    ),
    "1.000656": Route(
        "death",
        {"xoa_dang_ky_thuong_tru": "residence_removal", "tro_cap_mai_tang": "funeral_allowance"},
        {"deceased_name": "nguoi_chet.ho_ten", "deceased_id_number": "nguoi_chet.so_dinh_danh",
         "death_date": "nguoi_chet.ngay_chet", "death_place": "nguoi_chet.noi_chet",
         "relationship": "quan_he_voi_nguoi_chet"},
    ),
}  # fmt: skip
# The declaration writes the sex as the civil-status form does; the bundle as its choice values.
SEX = {"Nam": "nam", "Nữ": "nu"}


def ticked(answers: Mapping[str, Any], route: Route) -> list[str]:
    return [service for box, service in route.boxes.items() if answers.get(box) is True]


def bundle_url(procedure_code: str, draft_key: object, answers: Any) -> str | None:
    """Where a draft of this declaration must go instead of a lone dossier: the bundle form,
    when one of its linked boxes is ticked; else None."""
    route = ROUTES.get(procedure_code)
    if route is None or not isinstance(answers, dict) or not ticked(answers, route):
        return None
    return reverse("bundles:apply", kwargs={"kind": route.kind}) + f"?nhap={draft_key}"


def answer_at(answers: Mapping[str, Any], path: str) -> str:
    value: Any = answers
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return str(value).strip() if isinstance(value, str | int) else ""


def from_draft(
    user: User, key: str, definition: Definition
) -> tuple[list[str], dict[str, str]] | None:
    """(services the boxes chose, facts of the declaration) of the citizen's own unsubmitted
    draft ``key`` of the declaration leading into ``definition``; None if there is none."""
    try:
        parsed = uuid.UUID(key[:40])
    except ValueError:  # a malformed key is no draft
        return None
    draft = (
        Draft.objects.select_related("procedure")
        .filter(key=parsed, owner=user, dossier__isnull=True)
        .first()
    )
    if draft is None:
        return None
    route = ROUTES.get(draft.procedure.code)
    if route is None or route.kind != definition.kind:
        return None
    answers = draft.eform_data if isinstance(draft.eform_data, dict) else {}
    services = [definition.root.service, *definition.choose.required, *ticked(answers, route)]
    facts = {name: answer_at(answers, path) for name, path in route.facts.items()}
    facts = {name: value for name, value in facts.items() if value}
    if facts.get("sex") in SEX:
        facts["sex"] = SEX[facts["sex"]]
    return list(dict.fromkeys(services)), facts


def draft_done(user: User, key: str) -> None:
    """The declaration the citizen came from is now the bundle's: its draft goes."""
    try:
        parsed = uuid.UUID(key[:40])
    except ValueError:
        return
    draft = Draft.objects.filter(key=parsed, owner=user, dossier__isnull=True).first()
    if draft is not None:
        draft_discard(draft=draft)
