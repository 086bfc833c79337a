"""What apps above the dossier kernel add to its officer pages, registered from their ``ready``
(the kernel never imports them; tests/test_architecture.py): a worklist hook marks a page's rows
in place (one query at most, none when no row is theirs), a panel gives the dossier page a block
of its own under a template name; the data store offers what an applicant already holds and
adds columns to the export."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from motcua.accounts.models import User

    from .models import Dossier, IssuedDocument

# A worklist row is a plain dict (selectors.list_rows): "id", "ref", the shown columns and
# "bundle_marker"; a hook adds keys of its own for the template.
WorklistHook = Callable[[list[dict[str, Any]]], None]
Panel = Callable[["Dossier", "User"], Any]
# The PDF of an issued document of a kind another app issues (the fee receipt): its bytes,
# unsigned; the kernel signs, hashes and stores them as it does its own forms.
Renderer = Callable[["IssuedDocument"], bytes]

WORKLIST_HOOKS: list[WorklistHook] = []
PANELS: dict[str, Panel] = {}
RENDERERS: dict[str, Renderer] = {}


def renderer_register(kind: str, renderer: Renderer) -> None:
    RENDERERS[kind] = renderer


def worklist_hook_register(hook: WorklistHook) -> None:
    if hook not in WORKLIST_HOOKS:
        WORKLIST_HOOKS.append(hook)


def panel_register(name: str, panel: Panel) -> None:
    PANELS[name] = panel


def worklist_rows_mark(rows: list[dict[str, Any]]) -> None:
    for hook in WORKLIST_HOOKS:
        hook(rows)


def panels_for(dossier: Dossier, user: User) -> dict[str, Any]:
    return {name: panel(dossier, user) for name, panel in PANELS.items()}


# ------------------------------------------------------------------------- data already held
@dataclass(frozen=True)
class StoredOffer:
    """A component of the checklist that a document the applicant already holds in their data
    store satisfies: not asked for again (Decree 107/2021 art. 8; DOMAIN.md §2)."""

    requirement_id: int
    document_id: int
    name: str
    source: str  # where it comes from, as the citizen and the officer read it


# (applicant kind, ID number or tax code, requirements, the account asking — None for an
# officer at the counter, the day) → offers by requirement id
Offers = Callable[[str, str, list[Any], "User | None", datetime.date], dict[int, StoredOffer]]
# (dossier, the offers taken, who consented, how: "online" or "counter", when) → components reused
Reuse = Callable[["Dossier", list[StoredOffer], "User | None", str, datetime.datetime], int]
# dossier ids → {id: {column: value}}, added to ``export-dossiers``
ExportColumns = Callable[[list[int]], dict[int, dict[str, Any]]]


# The population registry's fields as an officer reads them (counter form, dossier page).
PERSON_FIELDS = {
    "name": _("Họ và tên"), "birth_date": _("Ngày sinh"), "sex": _("Giới tính"),
    "address": _("Nơi thường trú"), "household": _("Thành viên hộ gia đình"),
}  # fmt: skip


@dataclass(frozen=True)
class RegistryAnswer:
    """The population registry's record of the applicant at the counter: what it holds (field →
    value, to prefill and show), each field typed otherwise (field, typed, registry), or why it
    could not be asked (then the officer enters what the applicant's papers show)."""

    found: bool
    held: dict[str, str]
    mismatches: list[tuple[str, str, str]]
    error: str = ""


# (personal ID number, what the officer typed by field, the officer, when) → the registry's
# answer, None when no registry is configured
RegistryLookup = Callable[[str, dict[str, str], "User", datetime.datetime], RegistryAnswer | None]
# (a citizen's account, when) → the registry's record of the account's own ID number, to prefill
# the e-form; None unless the account is VNeID-verified and a registry is configured
OwnRecord = Callable[["User", datetime.datetime], RegistryAnswer | None]
# (dossier, personal ID number, who, how: "online" or "counter", when) → whether the registry's
# record of the applicant was recorded as used for the dossier (the 766 flag ``population_data``)
# (dossier, ID number, user, "online"/"counter", when, what was typed otherwise than the registry
# as (field, typed, registry)) → recorded
RegistryUsed = Callable[
    ["Dossier", str, "User", str, datetime.datetime, list[tuple[str, str, str]]], bool
]


@dataclass
class DataStore:
    """Filled in by the data-store app (``motcua.vault``) from its ``ready``; until then nothing
    is offered and every component is uploaded or checked at the counter."""

    offers: Offers = lambda kind, number, requirements, user, day: {}
    reuse: Reuse = lambda dossier, offers, user, how, at: 0
    registry: RegistryLookup = lambda number, typed, user, at: None
    own_record: OwnRecord = lambda user, at: None
    registry_used: RegistryUsed = lambda dossier, number, user, how, at, differences: False


DATA = DataStore()
EXPORT_COLUMNS: list[ExportColumns] = []


def export_columns_register(columns: ExportColumns) -> None:
    if columns not in EXPORT_COLUMNS:
        EXPORT_COLUMNS.append(columns)


def export_columns(dossier_ids: list[int]) -> dict[int, dict[str, Any]]:
    merged: dict[int, dict[str, Any]] = {}
    for columns in EXPORT_COLUMNS:
        for pk, values in columns(dossier_ids).items():
            merged.setdefault(pk, {}).update(values)
    return merged
