"""One dossier for an officer, in one query: found by its reference or code, with its units,
procedure, history, issued forms and consultations, then checked against the officer's roles.

The query has the same text for every officer and dossier, so it is compiled once per
connection (``common.prepared``); the related rows come inside it as JSON (``common.inline``).
Who may read is decided in Python on the loaded row by ``visible_to``, the same rule as
``selectors.visibility`` (which lists use, as SQL); ``tests/dossiers/test_reading.py`` checks
the two against each other for every role and every way a unit takes part in a dossier.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.common.held_rows import related_rows
from motcua.common.inline import Inline, InlineOne, attach_all, inline_annotations, own_fields
from motcua.common.prepared import PreparedQuery

from .models import (
    Consultation,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    IssuedDocument,
)

EVENTS = Inline("events", DossierEvent, "dossier", own_fields(DossierEvent, "dossier"), order=("seq",))  # fmt: skip
ISSUED = Inline(
    "issued_documents", IssuedDocument, "dossier", own_fields(IssuedDocument, "dossier"),
    order=("issued_at", "pk"),
)  # fmt: skip
CONSULTATIONS = Inline(
    "consultations", Consultation, "dossier", own_fields(Consultation, "dossier"),
    related={"unit": ("code", "name")}, order=("asked_at", "pk"),
)  # fmt: skip
INLINES = (EVENTS, ISSUED, CONSULTATIONS)
# The officer's page also lists the hand-overs between steps and the files.
VISITS = Inline(
    "step_visits", DossierStep, "dossier", own_fields(DossierStep, "dossier"),
    related={"unit": ("code", "name")}, order=("started_at", "pk"),
)  # fmt: skip
DOCUMENTS = Inline(
    "documents", DossierDocument, "dossier", own_fields(DossierDocument, "dossier"),
    order=("uploaded_at", "pk"),
)  # fmt: skip
PAGE_INLINES = (
    *INLINES, VISITS, DOCUMENTS, InlineOne(Dossier, "pending_unit", ("code", "name")),
    InlineOne(Dossier, "assignee", ("username", "full_name")),
)  # fmt: skip

# Large texts of the procedure and the units that no dossier page shows (read lazily if asked).
DEFERRED = (
    "procedure__steps_text", "procedure__legal_basis", "procedure__search_text",
    "procedure__conditions", "procedure__results", "procedure__executing_bodies",
    "procedure__applicant_types", "procedure__gaps", "procedure__name_folded",
    "receiving_unit__attributes", "receiving_unit__note", "deciding_unit__attributes",
    "deciding_unit__note",
)  # fmt: skip


# Joined: what every read shows. The other relations (case, process, assignee, pending unit)
# are read lazily where needed or come as ``InlineOne``: every join more multiplies what
# PostgreSQL weighs when planning the query (seven joins took 20–70 ms to plan, 1 ms to run).
RELATED = ("procedure", "receiving_unit", "deciding_unit")


def dossiers_named(
    name: str, inlines: tuple[Inline | InlineOne, ...] = INLINES
) -> QuerySet[Dossier]:
    """The dossier whose reference or code is ``name`` (two at most: a code may equal another
    dossier's reference), with what its pages show."""
    return (
        Dossier.objects.filter(Q(ref=name) | Q(code=name))
        .select_related(*RELATED)
        .defer(*DEFERRED)
        .annotate(**inline_annotations(*inlines))
        .order_by("-submitted_at", "-pk")[:2]
    )


SAMPLES = ("HS-SAMPLE-A", "HS-SAMPLE-B")
NAMED = PreparedQuery(dossiers_named, name=SAMPLES)
NAMED_PAGE = PreparedQuery(lambda name: dossiers_named(name, PAGE_INLINES), name=SAMPLES)


def dossier_read(user: User, name: str, *, page: bool = False) -> Dossier | None:
    """The dossier (by reference or code) if the officer may read it, else None. ``page``: with
    the step hand-overs and the files too (the officer's dossier page)."""
    query, inlines = (NAMED_PAGE, PAGE_INLINES) if page else (NAMED, INLINES)
    for dossier in query(name=name):
        attach_all(dossier, *inlines)
        if visible_to(user, dossier):
            return dossier
    return None


def visible_to(user: User, dossier: Dossier) -> bool:
    """``selectors.visibility`` for one loaded dossier (its consultations loaded)."""
    whole = permissions.unit_ids_with(user, Capability.VIEW_UNIT_DOSSIERS)
    receive = permissions.unit_ids_with(user, Capability.VIEW_RECEIVED_DOSSIERS) - whole
    process = permissions.unit_ids_with(user, Capability.VIEW_ASSIGNED_DOSSIERS) - whole
    consulted = {consultation.unit_id for consultation in related_rows(dossier, "consultations")}
    parties = {
        dossier.receiving_unit_id, dossier.deciding_unit_id, dossier.pending_unit_id,
        dossier.previous_unit_id,
    }  # fmt: skip
    if whole & (parties | consulted):
        return True
    if receive & {dossier.receiving_unit_id, dossier.pending_unit_id}:
        return True
    mine_or_nobodys = dossier.assignee_id is None or dossier.assignee_id == user.pk
    return bool(
        (dossier.deciding_unit_id in process and mine_or_nobodys)
        or dossier.pending_unit_id in process
        or process & consulted
    )
