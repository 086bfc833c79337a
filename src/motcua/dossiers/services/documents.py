"""Files of a dossier and the legal forms it is issued.

Circular 01/2018/TT-VPCP art. 9–10 (re-issued by Circular 03/2025/TT-VPCP): forms are filled
from the dossier, numbered, signed by the issuer and kept. An issued form is a record: the facts
it states are frozen in the transaction that issues it, its number comes from the unit's yearly
sequence (the receipt's number is the dossier's entry in the tracking book), and its PDF is
rendered once from those facts. A later change issues a new document and leaves the old one as
it was.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import get_language

from motcua.accounts.models import User
from motcua.catalog.presentation import time_limit_text
from motcua.catalog.revision import catalog_cached
from motcua.common.memo import memoized
from motcua.organizations.models import Unit

from ..constants import Channel, DocumentKind
from ..deadlines import case_of
from ..models import Dossier, DossierEvent, IssuedDocument
from ..store import store
from . import signing

# What ``get_channel_display`` says, without rebuilding the choices for every document.
CHANNEL_LABELS = dict(Channel.choices)
# The short sign after the number ("Số 12/TNHS"), by kind.
NUMBER_SUFFIX = {
    DocumentKind.RECEIPT: "TNHS",
    DocumentKind.SUPPLEMENT_REQUEST: "YCBS",
    DocumentKind.REFUSAL: "TCTN",
    DocumentKind.REJECTION: "TCGQ",
    DocumentKind.APOLOGY: "XLHL",
    DocumentKind.STOP: "DGQ",
    DocumentKind.CONTROL_SLIP: "PKS",
    DocumentKind.DECISION: "TBKQ",
}
# Issued by the deciding unit; the others by the one-stop that received the dossier.
DECIDING_UNIT_KINDS = frozenset(
    {DocumentKind.REJECTION, DocumentKind.APOLOGY, DocumentKind.DECISION}
)
# Forms that end with a signature block: who signs, with which title and delegation, frozen in
# the facts (Decree 30/2020/NĐ-CP art. 8(2)(g), 13).
SIGNED_KINDS = frozenset(
    {DocumentKind.DECISION, DocumentKind.REJECTION, DocumentKind.APOLOGY, DocumentKind.STOP}
)


def person_name(actor: User | None) -> str:
    if actor is None:
        return "Hệ thống"
    return actor.get_full_name() or actor.username


def local_year(at: datetime.datetime) -> int:
    from ..deadlines import local_date

    return local_date(at).year


def number_allocate(unit_id: int, year: int, kind: str) -> int:
    """The next number of ``kind`` for the unit and year; the row lock serialises issuers."""
    return store().number_next(unit_id, year, kind)


def document_issue(
    *, dossier: Dossier, kind: str, event: DossierEvent | None, actor: User | None,
    at: datetime.datetime,
) -> IssuedDocument:  # fmt: skip
    """Number the form, freeze what it says; call inside the action's transaction."""
    unit_id = dossier.deciding_unit_id if kind in DECIDING_UNIT_KINDS else dossier.receiving_unit_id
    year = local_year(at)
    seq = number_allocate(unit_id, year, kind)
    number = f"{seq}/{NUMBER_SUFFIX[DocumentKind(kind)]}"
    if kind == DocumentKind.RECEIPT and dossier.book_number is None:
        dossier.book_number = seq
        store().book_number_set(dossier, seq)
    issuer = person_name(actor)
    document = IssuedDocument.fresh(
        dossier=dossier, kind=kind, unit_id=unit_id, year=year, seq=seq, number=number,
        issued_at=at, issued_by=actor, issued_by_name=issuer, event=event,
    )  # fmt: skip
    document.facts = facts_of(dossier, document, event)
    store().document_add(document)  # and its rendering, enqueued in the action's transaction
    return document


def when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def lookup_url(dossier: Dossier) -> str:
    """The public lookup page with the dossier code filled in (the code is in the URL)."""
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/?ma={quote(dossier.code or dossier.ref)}"


def parent_of(unit: Unit) -> Unit | None:
    return None if unit.parent_id is None else unit_by_pk(unit.parent_id)


@catalog_cached(size=2_000)
def unit_by_pk(pk: int) -> Unit:
    """A unit read once per catalog state (``catalog_cached``; units are part of it)."""
    return Unit.objects.get(pk=pk)


def limit_text(dossier: Dossier) -> str:
    case = case_of(dossier)
    if case is None:
        return "Chưa có thông tin thời hạn"
    return case_limit_text(case.time_quantity, case.time_unit, get_language())


@memoized
def case_limit_text(quantity: Decimal | None, unit: str, language: str | None) -> str:
    return str(time_limit_text(quantity, unit))


def received_documents(dossier: Dossier) -> list[str]:
    names = [*dossier.checklist, *store().input_document_names(dossier)]
    return list(dict.fromkeys(names))  # once each: several files may answer one document


def facts_of(
    dossier: Dossier, document: IssuedDocument, event: DossierEvent | None
) -> dict[str, Any]:
    """Everything the form states, as plain JSON (dates as ISO 8601)."""
    unit = (
        dossier.deciding_unit
        if document.unit_id == dossier.deciding_unit_id
        else dossier.receiving_unit
    )
    parent = parent_of(unit)
    procedure = dossier.procedure
    signature = (
        signing.signature_facts(dossier, unit=unit, actor=document.issued_by, at=document.issued_at)
        if document.kind in SIGNED_KINDS
        else None
    )
    return {
        "number": document.number,
        "issued_at": when(document.issued_at),
        "issued_by": document.issued_by_name,
        "unit": {"name": unit.name},
        "receiving_unit": {"name": dossier.receiving_unit.name},
        "parent": {"name": parent.name if parent else ""},
        "lookup_url": lookup_url(dossier),
        "limit": limit_text(dossier),
        "received_documents": received_documents(dossier),
        "dossier": {
            "ref": dossier.ref, "code": dossier.code or "", "book_number": dossier.book_number,
            "applicant_name": dossier.applicant_name, "applicant_id_number": dossier.applicant_id_number,
            "applicant": {"phone": (dossier.applicant or {}).get("phone", ""),
                          "address": (dossier.applicant or {}).get("address", "")},
            "procedure": {"code": procedure.code, "name": procedure.name},
            "received_at": when(dossier.received_at), "due_at": when(dossier.due_at),
            "statutory_due_at": when(dossier.statutory_due_at),
            "channel": str(CHANNEL_LABELS.get(dossier.channel, dossier.channel)),
        },
        "event": {
            "at": when(event.at) if event else None,
            "reason": event.reason if event else "",
            "items": list((event.payload or {}).get("items", [])) if event else [],
            "previous_due": (event.payload or {}).get("previous_due") if event else None,
            "new_due": (event.payload or {}).get("new_due") if event else None,
        },
        **({"signature": signature} if signature is not None else {}),
    }  # fmt: skip
