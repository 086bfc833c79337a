"""Supplement requests and answers (Decree 61/2018 art. 15, 19; Decree 118/2025 art. 11).

The officer asks once for everything missing, item by item. The applicant (online) or the counter
answers item by item. When every item has come, the clock runs again; when some are still missing
the dossier keeps waiting, the officer sees which, and decides (take it as it is, or refuse).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User

from .. import deadlines
from ..constants import Action, PauseKind, Status
from ..errors import MissingInput
from ..models import Dossier, DossierPause
from ..store import store
from .kernel import Change, act, is_applicant, iso


def end_pause(dossier: Dossier, kind: str, at: datetime.datetime) -> None:
    store().pause_end(dossier, kind, at)


def clean_items(items: list[str] | None, reason: str) -> list[str]:
    given = [str(item).strip() for item in (items or []) if str(item).strip()]
    if not given:
        given = [line.strip() for line in (reason or "").splitlines() if line.strip()]
    return [item[:500] for item in given]


def dossier_request_supplement(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str = "",
    items: list[str] | None = None, expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Ask once for everything missing; the clock stops until the applicant answers.

    After reception only within the window (default 3 working days from reception,
    MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS), and never after a decision.
    """
    wanted = clean_items(items, reason)
    if not wanted:
        raise MissingInput(_("Cần liệt kê giấy tờ, nội dung cần bổ sung."))
    text = (reason or "").strip() or "\n".join(wanted)

    def decide(current: Dossier) -> Change:
        store().pause_open(
            DossierPause(dossier=current, kind=PauseKind.SUPPLEMENT, start=at, reason=text)
        )
        fields = {
            "supplement_requests": current.supplement_requests + 1,
            "status_before_pause": current.status,
            "supplement_items": [{"item": item, "received_at": None, "by": ""} for item in wanted],
        }
        return Change(Status.SUPPLEMENT_REQUESTED, fields, reason=text, payload={"items": wanted})

    return act(
        dossier, Action.REQUEST_SUPPLEMENT, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def mark_received(
    items: list[dict[str, Any]], received: list[str] | None, at: datetime.datetime, by: str
) -> list[dict[str, Any]]:
    """The items with those named in ``received`` marked as come (``None``: all of them)."""
    names = None if received is None else {name.strip() for name in received}
    marked = []
    for entry in items:
        entry = dict(entry)
        if entry.get("received_at") is None and (names is None or entry["item"] in names):
            entry["received_at"], entry["by"] = at.isoformat(), by
        marked.append(entry)
    return marked


def missing_items(items: list[dict[str, Any]]) -> list[str]:
    return [entry["item"] for entry in items if entry.get("received_at") is None]


def dossier_submit_supplement(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, note: str = "",
    received: list[str] | None = None, accept_incomplete: bool = False,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Record what came, item by item. Complete, or taken by an officer as it is on purpose
    (``accept_incomplete``): the clock runs again from the full dossier (Decree 61 art. 19(2)).
    Otherwise it keeps waiting for the missing items."""

    def decide(current: Dossier) -> Change:
        applicant = actor is not None and is_applicant(current, actor)
        by = "applicant" if applicant else ("officer" if actor else "system")
        if applicant and accept_incomplete:
            raise MissingInput(_("Chỉ cán bộ mới quyết định tiếp tục khi hồ sơ còn thiếu."))
        items = mark_received(list(current.supplement_items or []), received, at, by)
        missing = missing_items(items)
        payload: dict[str, Any] = {"received": received, "missing": missing}
        if missing and not accept_incomplete:
            return Change(current.status, {"supplement_items": items}, reason=note,
                          payload={**payload, "partial": True})  # fmt: skip
        end_pause(current, PauseKind.SUPPLEMENT, at)
        fields: dict[str, Any] = {"status_before_pause": "", "supplement_items": items}
        if current.received_at is not None:
            fields.update(
                deadlines.statutory_due(current, received_at=current.received_at).as_fields(
                    keep_apology=current
                )
            )
        payload["due_at"] = iso(fields.get("due_at"))
        return Change(
            current.status_before_pause or Status.NEW, fields, reason=note, payload=payload
        )

    return act(
        dossier, Action.SUBMIT_SUPPLEMENT, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip
