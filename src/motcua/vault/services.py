"""Keeping documents in the owners' stores, offering them for a new dossier, recording their
reuse and every use (docs/decisions/0030).

Whose store: the dossier's applicant, by the personal ID number (a person) or the tax code (a
business) the dossier was received with. Who may take from it: an officer at the counter, for
the applicant standing there with their papers; online, the account only for documents of
dossiers it submitted or proved it applied for (an ID number typed at sign-up proves nothing;
``portal.ownership``), unless a verified identity (VNeID level 2) bound the account to the
number: then the whole store under it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.catalog.models import Requirement
from motcua.catalog.requirements import document_name
from motcua.common.clock import today
from motcua.common.held_rows import rows_held
from motcua.dossiers.constants import ApplicantKind, Decision, Status
from motcua.dossiers.deadlines import local_date
from motcua.dossiers.extensions import RegistryAnswer, StoredOffer
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.results import result_is_electronic
from motcua.integrations.registry.client import RegistryError
from motcua.integrations.registry.people import Person, mismatches, person_lookup

from . import evidence
from .models import DataUse, Origin, OwnerKind, Reuse, VaultDocument

# The result is the applicant's once handed over (the portal shows it from then on, too).
RESULT_STATUSES = frozenset({Status.RETURNED})


def owner_of(dossier: Dossier) -> tuple[str, str] | None:
    """(kind, number) of the dossier's applicant; None when it was received without one."""
    number = (dossier.applicant_id_number or "").strip()
    if not number:
        return None
    kind = (
        OwnerKind.ORGANISATION
        if dossier.applicant_kind == ApplicantKind.ORGANISATION
        else OwnerKind.PERSON
    )
    return kind, number


def owner_of_account(user: User) -> tuple[str, str] | None:
    business = getattr(user, "business_profile", None)
    if business is not None:
        return OwnerKind.ORGANISATION, business.tax_code
    citizen = getattr(user, "citizen_profile", None)
    if citizen is not None and citizen.id_number:
        return OwnerKind.PERSON, citizen.id_number
    return None


# ------------------------------------------------------------------------- keeping
def inputs_keep(dossier: Dossier, at: datetime.datetime) -> int:
    """The accepted inputs of a received dossier into its applicant's store (once per file)."""
    return inputs_keep_many([(dossier, at)])


def inputs_keep_many(received: Iterable[tuple[Dossier, datetime.datetime]]) -> int:
    """``inputs_keep`` of several dossiers (in order), their documents read in one query."""
    owned = [(dossier, at, owner) for dossier, at in received if (owner := owner_of(dossier))]
    if not owned:
        return 0
    kinds = [DossierDocument.Kind.INPUT, DossierDocument.Kind.SUPPLEMENT]
    in_hand = {dossier.pk: held for dossier, _at, _owner in owned if (held := rows_held(dossier, "documents")) is not None}  # fmt: skip
    documents = documents_by_dossier(
        DossierDocument.objects.filter(kind__in=kinds).select_related("requirement"),
        {dossier.pk for dossier, _at, _owner in owned if dossier.pk not in in_hand},
    )
    for pk, held in in_hand.items():
        documents[pk] = [document for document in held if document.kind in kinds]
    rows = [
        input_row(owner, dossier, document, at)
        for dossier, at, owner in owned
        for document in documents.get(dossier.pk, ())
    ]
    return documents_keep(rows)


# Dossier ids per query: a bulk import's batch may be large, and SQLite limits the parameters
# of one statement.
IDS_PER_QUERY = 2000


def documents_by_dossier(
    documents: QuerySet[DossierDocument], dossier_ids: set[int]
) -> dict[int, list[DossierDocument]]:
    """The ``documents`` of each of ``dossier_ids``, in the query's order."""
    grouped: dict[int, list[DossierDocument]] = {}
    ids = sorted(dossier_ids)
    for start in range(0, len(ids), IDS_PER_QUERY):
        for document in documents.filter(dossier_id__in=ids[start : start + IDS_PER_QUERY]):
            grouped.setdefault(document.dossier_id, []).append(document)
    return grouped


def digitised_keep(dossier: Dossier, sha256: str, at: datetime.datetime) -> int:
    """A paper scanned at the counter into a dossier already received (the counter receives as
    it creates, the officer scans right after): into the store as it is attached."""
    owner = owner_of(dossier)
    if owner is None or dossier.received_at is None or not sha256:
        return 0
    documents = DossierDocument.objects.filter(
        dossier=dossier, kind=DossierDocument.Kind.INPUT, digitised_at_counter=True, sha256=sha256
    ).select_related("requirement")
    return documents_keep([input_row(owner, dossier, document, at) for document in documents])


def input_row(
    owner: tuple[str, str], dossier: Dossier, document: DossierDocument, at: datetime.datetime
) -> VaultDocument:
    requirement = document.requirement
    code = requirement.component_code if requirement else ""
    kind = evidence.for_requirement(code, requirement.name if requirement else document.name)
    origin = Origin.DIGITISED if document.digitised_at_counter else Origin.INPUT
    return VaultDocument(
        owner_kind=owner[0], owner_id_number=owner[1], evidence_type=kind, component_code=code,
        name=document.name[:255], origin=origin, electronic_original=False,
        source_dossier=dossier, source_document=document, file=document.file.name,
        sha256=document.sha256, content_type=document.content_type, size=document.size,
        added_at=at,
    )  # fmt: skip


def results_keep(dossier: Dossier, at: datetime.datetime) -> int:
    """A granted dossier's result files into its applicant's store (once per file)."""
    return results_keep_many([(dossier, at)])


def results_keep_many(returned: Iterable[tuple[Dossier, datetime.datetime]]) -> int:
    """``results_keep`` of several dossiers (in order), their result files read in one query."""
    granted = [
        (dossier, at, owner)
        for dossier, at in returned
        if dossier.status in RESULT_STATUSES
        and dossier.decision == Decision.APPROVED  # a refusal is no paper to reuse
        and (owner := owner_of(dossier))
    ]
    if not granted:
        return 0
    documents = documents_by_dossier(
        DossierDocument.objects.filter(kind=DossierDocument.Kind.RESULT),
        {dossier.pk for dossier, _at, _owner in granted},
    )
    rows = [
        row
        for dossier, at, owner in granted
        if dossier.pk in documents
        for row in result_rows(owner, dossier, documents[dossier.pk], at)
    ]
    return documents_keep(rows)


def result_rows(
    owner: tuple[str, str], dossier: Dossier, documents: list[DossierDocument],
    at: datetime.datetime,
) -> list[VaultDocument]:  # fmt: skip
    code = dossier.procedure.code
    kind = evidence.for_result(code)
    issued = local_date(dossier.finished_at or at)
    days = evidence.valid_days(kind)
    expires = issued + datetime.timedelta(days=days) if days else None
    original = result_is_electronic(dossier)
    return [
        VaultDocument(
            owner_kind=owner[0],
            owner_id_number=owner[1],
            evidence_type=kind,
            name=(evidence.type_name(kind) or document.name)[:255],
            issuer=dossier.deciding_unit.name[:255],
            number=dossier.code or "",
            issued_on=issued,
            expires_on=expires,
            origin=Origin.RESULT,
            electronic_original=original,
            source_dossier=dossier,
            source_document=document,
            file=document.file.name,
            sha256=document.sha256,
            content_type=document.content_type,
            size=document.size,
            added_at=at,
        )
        for document in documents
    ]


def documents_keep(rows: list[VaultDocument]) -> int:
    """Insert the rows an owner does not hold yet (same SHA-256): one statement, and a replayed
    event or a second reception of the same bytes adds nothing."""
    first: dict[tuple[str, str, str], VaultDocument] = {}
    for row in rows:  # the first of an owner's file wins, as it would one event after another
        first.setdefault((row.owner_kind, row.owner_id_number, row.sha256), row)
    rows = list(first.values())
    if not rows:
        return 0
    before = VaultDocument.objects.filter(
        owner_id_number__in={r.owner_id_number for r in rows}, sha256__in={r.sha256 for r in rows}
    ).count()
    VaultDocument.objects.bulk_create(rows, ignore_conflicts=True)
    after = VaultDocument.objects.filter(
        owner_id_number__in={r.owner_id_number for r in rows}, sha256__in={r.sha256 for r in rows}
    ).count()
    return after - before


# ------------------------------------------------------------------------- offering
def offers_for(
    kind: str, number: str, requirements: list[Requirement], user: User | None,
    day: datetime.date,
) -> dict[int, StoredOffer]:  # fmt: skip
    """What the owner's store already holds for each requirement: the newest valid document of
    the type it asks for (or filed under the same component code)."""
    if not number or not requirements:
        return {}
    wanted = {
        r.pk: (evidence.for_requirement(r.component_code, r.name), r.component_code)
        for r in requirements
    }
    types = {t for t, _c in wanted.values() if t}
    codes = {c for _t, c in wanted.values() if c}
    if not types and not codes:
        return {}
    owner_kind = OwnerKind.ORGANISATION if kind == ApplicantKind.ORGANISATION else OwnerKind.PERSON
    held = (
        documents_of(owner_kind, number, user)
        .filter(Q(evidence_type__in=types) | Q(component_code__in=codes))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    )
    held = held.select_related("source_dossier").order_by("-issued_on", "-added_at", "-pk")
    found: dict[int, StoredOffer] = {}
    documents = list(held[:200])
    for pk, (wanted_type, wanted_code) in wanted.items():
        match = next((d for d in documents if matches(d, wanted_type, wanted_code)), None)
        if match is not None:
            found[pk] = StoredOffer(pk, match.pk, match.name, source_text(match))
    return found


def matches(document: VaultDocument, wanted_type: str, wanted_code: str) -> bool:
    return bool(
        (wanted_type and document.evidence_type == wanted_type)
        or (wanted_code and document.component_code == wanted_code)
    )


def documents_of(kind: str, number: str, user: User | None) -> Any:
    """The owner's documents; for an account, only those of dossiers it submitted or proved it
    applied for (all of them once its identity is verified), never another number's."""
    documents = VaultDocument.objects.filter(owner_kind=kind, owner_id_number=number)
    if user is None:
        return documents
    if owner_of_account(user) != (kind, number):
        return VaultDocument.objects.none()
    if kind == OwnerKind.PERSON and permissions.identity_verified(user):
        return documents  # VNeID level 2 bound the account to the number
    return documents.filter(
        Q(source_dossier__owner=user) | Q(source_dossier__applicant_links__user=user)
    ).distinct()


# E-form blocks naming the person a result is about when it is not the applicant (a parent
# registers the child's birth, a relative the death): the paper is shown with that name.
SUBJECT_BLOCKS = ("tre", "nguoi_chet")


def subject_of(dossier: Dossier | None) -> str:
    answers = dossier.eform_data if dossier is not None else None
    for block in SUBJECT_BLOCKS:
        found = answers.get(block) if isinstance(answers, dict) else None
        name = str(found.get("ho_ten") or "").strip() if isinstance(found, dict) else ""
        if name:
            return name[:120]
    return ""


def source_text(document: VaultDocument) -> str:
    subject = subject_of(document.source_dossier)
    parts = [_("của %(name)s") % {"name": subject}] if subject else []
    parts += [document.issuer] if document.issuer else []
    if document.issued_on:
        parts.append(_("cấp ngày %(day)s") % {"day": document.issued_on.strftime("%d/%m/%Y")})
    dossier = document.source_dossier
    if dossier is not None:
        parts.append(_("từ hồ sơ %(code)s") % {"code": dossier.code or dossier.ref})
    if document.expires_on:
        day = document.expires_on.strftime("%d/%m/%Y")
        expired = document.expires_on < today()
        parts.append(
            (_("hết hạn ngày %(day)s") if expired else _("còn hạn đến %(day)s")) % {"day": day}
        )
    return "; ".join(parts)


# ------------------------------------------------------------------------- reusing
def reuse_record(
    dossier: Dossier, offers: list[StoredOffer], user: User | None, how: str,
    at: datetime.datetime,
) -> int:  # fmt: skip
    """The dossier takes the offered documents in place of uploads, with the applicant's consent
    (``how``: "online" or "counter"); each use is logged for the owner. The offers are checked
    again here against the dossier's own applicant: an offer made for someone else, expired
    since, or for a component this procedure does not have is dropped."""
    owner = owner_of(dossier)
    if owner is None or not offers:
        return 0
    requirements = list(
        Requirement.objects.filter(
            pk__in=[o.requirement_id for o in offers], group__procedure_id=dossier.procedure_id
        )
    )
    account = user if how == "online" else None
    valid = offers_for(dossier.applicant_kind, owner[1], requirements, account, local_date(at))
    taken = [
        valid[o.requirement_id]
        for o in offers
        if o.requirement_id in valid and valid[o.requirement_id].document_id == o.document_id
    ]
    by_pk = {r.pk: r for r in requirements}
    done = set(
        Reuse.objects.filter(
            dossier=dossier, requirement_id__in=[o.requirement_id for o in taken]
        ).values_list("requirement_id", flat=True)
    )
    taken = [o for o in taken if o.requirement_id not in done]
    Reuse.objects.bulk_create(
        Reuse(
            dossier=dossier,
            requirement_id=o.requirement_id,
            component_name=document_name(by_pk[o.requirement_id].name)[:255],
            component_code=by_pk[o.requirement_id].component_code,
            document_id=o.document_id,
            consented_by=user,
            consent=how,
            at=at,
        )
        for o in taken
    )
    uses_log(
        owner, [o.document_id for o in taken], dossier=dossier, user=user,
        what=DataUse.What.REUSE, at=at,
    )  # fmt: skip
    return len(taken)


def uses_log(
    owner: tuple[str, str], document_ids: Iterable[int], *, dossier: Dossier | None,
    user: User | None, what: str, at: datetime.datetime, registry_record: str = "",
    differences: list[tuple[str, str, str]] | None = None,
) -> None:  # fmt: skip
    """One line per document used: who (and in which unit), when, for which dossier."""
    ids: list[int | None] = [*document_ids] or ([None] if registry_record else [])
    if not ids:
        return
    name, unit = who(user, dossier)
    DataUse.objects.bulk_create(
        DataUse(
            owner_kind=owner[0],
            owner_id_number=owner[1],
            document_id=pk,
            registry_record=registry_record,
            differences=[list(d) for d in differences or []],
            dossier=dossier,
            dossier_label=(dossier.code or dossier.ref) if dossier else "",
            user=user,
            user_name=name,
            unit_name=unit,
            what=what,
            at=at,
        )
        for pk in ids
    )


def who(user: User | None, dossier: Dossier | None) -> tuple[str, str]:
    if user is None:
        return str(_("Hệ thống")), ""
    name = (user.get_full_name() or user.username)[:150]
    roles = permissions.active_roles(user)
    if not roles:
        return name, ""
    parties = {dossier.receiving_unit_id, dossier.deciding_unit_id} if dossier else set()
    role = next((r for r in roles if r.unit_id in parties), roles[0])
    return name, role.unit.name[:255]


# ------------------------------------------------------------------------- the registry
def registry_person(id_number: str, user: User, at: datetime.datetime) -> Person | None:
    """The population registry's record of the applicant at the counter (the officer looks the
    number up, as today in the population database), logged in the citizen's "ai đã dùng dữ liệu
    của tôi" whether or not the registry held one. RegistryError when it cannot answer."""
    if not getattr(settings, "MOTCUA_REGISTRY_URL", ""):
        return None  # no registry (the embedded demo): nothing looked up, nothing to log
    person = person_lookup(id_number)
    uses_log(
        (OwnerKind.PERSON, id_number), [], dossier=None, user=user, what=DataUse.What.REGISTRY,
        at=at, registry_record=f"population/people/{id_number}",
    )  # fmt: skip
    return person


def registry_answer(
    id_number: str, typed: dict[str, str], user: User, at: datetime.datetime
) -> RegistryAnswer | None:
    """The counter's prefill: the registry's record, and what was typed otherwise."""
    try:
        person = registry_person(id_number, user, at)
    except RegistryError:
        return RegistryAnswer(False, {}, [], error=str(_("Không tra được cơ sở dữ liệu dân cư.")))
    if person is None:
        configured = bool(getattr(settings, "MOTCUA_REGISTRY_URL", ""))
        return RegistryAnswer(False, {}, []) if configured else None
    held = {
        "name": person.name, "birth_date": person.birth_date, "sex": person.sex,
        "address": person.address, "household": ", ".join(person.household),
    }  # fmt: skip
    return RegistryAnswer(True, held, mismatches(typed, person))
