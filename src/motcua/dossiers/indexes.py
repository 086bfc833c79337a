"""The dossiers table's indexes, most of them for the officers' worklists (decision 0020):
the open dossiers of a unit, its whole history in the worklist's orders, and the part a leader
reads that another unit received (``lookups``)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import NullIf

from .constants import OPEN_STATUSES

# What the worklist's tabs test and sort by, carried by its partial indexes
# (``worklist_counts.tab_counts``, ``selectors.page_keys``).
WORKLIST_COLUMNS = [
    "id", "status", "finished_at", "due_at", "submitted_at", "assignee", "receiving_unit",
    "deciding_unit", "pending_unit", "step_role", "decision",
]  # fmt: skip
# The order of a worklist by due date (``selectors.SEGMENTS``), as index keys.
OPEN_ORDER = ["due_at", "-submitted_at", "-id"]
OPEN_KEYS = ("due_at", "submitted_at", "id")


def ordered(names: list[str]) -> list[models.OrderBy]:
    """Index keys as expressions, for an index whose first key is one ("-name": descending)."""
    return [models.F(n[1:]).desc() if n.startswith("-") else models.F(n).asc() for n in names]


DOSSIER_INDEXES = [
    models.Index(fields=["receiving_unit", "status"]),
    models.Index(fields=["deciding_unit", "status"]),
    models.Index(
        fields=["pending_unit"],
        name="dossier_pending_unit",
        condition=models.Q(pending_unit__isnull=False),
    ),
    # Worklists: the open dossiers of a unit, whatever its share in them (decision 0020),
    # with the columns the tabs' counts test, so that they are counted from the index
    # (PostgreSQL; SQLite ignores ``include``).
    # Their keys are the due-date order of the working tabs, so that a page walks the
    # open dossiers in order instead of the unit's whole history in the index below.
    models.Index(
        fields=["receiving_unit", *OPEN_ORDER],
        name="dossier_open_receiving",
        condition=models.Q(status__in=OPEN_STATUSES),
        include=[c for c in WORKLIST_COLUMNS if c not in ("receiving_unit", *OPEN_KEYS)],
    ),
    models.Index(
        fields=["deciding_unit", *OPEN_ORDER],
        name="dossier_open_deciding",
        condition=models.Q(status__in=OPEN_STATUSES),
        include=[c for c in WORKLIST_COLUMNS if c not in ("deciding_unit", *OPEN_KEYS)],
    ),
    models.Index(
        fields=["previous_unit"],
        name="dossier_open_previous",
        condition=models.Q(status__in=OPEN_STATUSES, previous_unit__isnull=False),
    ),
    # Counts of a unit's dossiers read from the index alone (no table rows).
    models.Index(
        fields=["deciding_unit", "receiving_unit", "assignee"],
        name="dossier_deciding_cover",
    ),
    # Pages of a unit's whole history in the orders of the worklist (keyset paging,
    # decision 0020): each walks from the page token's key, the columns the segments
    # of the order test carried along. Sorting by code walks the unique code index (a
    # unit's codes share its prefix).
    models.Index(
        fields=["receiving_unit", "due_at", "-submitted_at", "-id"],
        name="dossier_receiving_due",
        include=["status", "finished_at"],
    ),
    models.Index(
        fields=["receiving_unit", "-submitted_at", "-id"],
        name="dossier_receiving_submitted",
    ),
    models.Index(
        fields=["deciding_unit", "due_at", "-submitted_at", "-id"],
        name="dossier_deciding_due",
        include=["status", "finished_at", "assignee"],
    ),
    models.Index(
        fields=["deciding_unit", "-submitted_at", "-id"],
        name="dossier_deciding_submitted",
        include=["assignee"],
    ),
    # Decided by another unit than the one that received it (transfers, a ward's
    # dossiers that a department decides): the part of a leader's dossiers that the
    # receiving branch does not hold (``deciding_unit__elsewhere``, ``lookups``), in
    # both orders of the worklist and with the columns its tabs test.
    models.Index(
        NullIf("deciding_unit", "receiving_unit"),
        *ordered(OPEN_ORDER),
        name="dossier_elsewhere_due",
        condition=~models.Q(deciding_unit=models.F("receiving_unit")),
        include=[c for c in WORKLIST_COLUMNS if c not in OPEN_KEYS],
    ),
    models.Index(
        NullIf("deciding_unit", "receiving_unit"),
        *ordered(["-submitted_at", "-id"]),
        name="dossier_elsewhere_submitted",
        condition=~models.Q(deciding_unit=models.F("receiving_unit")),
        include=[c for c in WORKLIST_COLUMNS if c not in ("submitted_at", "id")],
    ),
]
