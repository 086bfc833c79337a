"""The actions offered on a dossier: those of its status the person may take (``kernel.may``)
that no one-stop rule refuses now (the spec's guards).

A worklist page asks this for fifty rows, a dozen actions each, and the rows of one officer's
page share their units, step and status: who may act is worked out once per shape of row
(``MayKey``) and remembered on the user object (one request's) for the roles it holds. The
guards read the row's own dates and counts: they are asked per row, each guard once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.authority.signature import signer_title_kept
from motcua.common.clock import VIETNAM
from motcua.common.held_rows import rows_held

from .. import steps
from ..actions import SPECS, ActionSpec, Guard
from ..models import Dossier
from .kernel import RowAsking, is_applicant, may

# The actions an officer may be offered, by the status they start from, in the registry's
# order: a row asks only those of its status (``state_allows`` of each, ahead of time).
# ``tests/dossiers/test_offers.py`` checks that each has a performer.
OFFERED_FROM: dict[str, tuple[ActionSpec, ...]] = {
    status: tuple(spec for spec in SPECS if spec.offered and status in spec.from_states)
    for status in {state for spec in SPECS for state in spec.from_states}
}
# The statuses with an action the applicant takes as the applicant (no unit to act for).
APPLICANT_STATUSES = frozenset(
    status for status, specs in OFFERED_FROM.items() if any(spec.applicant for spec in specs)
)

MayKey = tuple[Any, ...]
OFFERS = "_motcua_offers"


def offered(dossier: Dossier, user: User, at: datetime.datetime) -> list[ActionSpec]:
    """The actions of the dossier's status offered to ``user`` now."""
    specs = OFFERED_FROM.get(dossier.status, ())
    refusing: dict[int, bool] = {}  # per guard, for this row: a status's actions share guards
    return [
        spec
        for spec in specs_allowed(specs, dossier, user, at)
        if not any(refused(guard, dossier, at, refusing) for guard in spec.guards)
    ]


def refused(guard: Guard, dossier: Dossier, at: datetime.datetime, asked: dict[int, bool]) -> bool:
    """``guard.refuses(dossier, at)``, asked once per row (``asked``: the answers so far)."""
    answer = asked.get(id(guard))
    if answer is None:
        answer = asked[id(guard)] = guard.refuses(dossier, at)
    return answer


def specs_allowed(
    specs: tuple[ActionSpec, ...], dossier: Dossier, user: User, at: datetime.datetime
) -> tuple[ActionSpec, ...]:
    """Those of ``specs`` that ``may`` allows ``user``, remembered by the row's shape when
    there are enough of them for the key to cost less than asking."""
    if len(specs) < WORTH_REMEMBERING or not user.is_authenticated:
        return specs_may(specs, dossier, user, at)
    kept = kept_for(user)
    key = may_key(specs, dossier, user, at, deputy=kept.deputy)
    if key is None:
        return specs_may(specs, dossier, user, at)
    found = kept.allowed.get(key)
    if found is None:
        found = kept.allowed[key] = specs_may(specs, dossier, user, at)
    return found


# The key costs about what two or three ``may`` do (measured on worklist rows).
WORTH_REMEMBERING = 4


def specs_may(
    specs: tuple[ActionSpec, ...], dossier: Dossier, user: User, at: datetime.datetime
) -> tuple[ActionSpec, ...]:
    asking = RowAsking(dossier, user)
    return tuple(spec for spec in specs if may(spec, dossier, user, at, asking))


def may_key(
    specs: tuple[ActionSpec, ...], dossier: Dossier, user: User, at: datetime.datetime,
    *, deputy: bool,
) -> MayKey | None:  # fmt: skip
    """Every fact of the row that ``may`` reads, for the user it asks about: the status (the
    ``specs`` asked are ``OFFERED_FROM`` of it), whether the user is the applicant, the
    units the row names, its step as ``kernel.candidate_units`` sees it (left its process or
    not, the step's unit and capability), the units consulted and not yet answered, and for a
    deputy (``deputy``) the procedure and day (a delegation covers procedures, from a day to a
    day). None: not remembered (the consultations were not read with the row).
    ``tests/dossiers/test_offers.py`` checks the answers against ``specs_may`` on many rows."""
    consultations = rows_held(dossier, "consultations")
    if consultations is None:
        return None
    applicant = dossier.status in APPLICANT_STATUSES and is_applicant(dossier, user)
    consulted = tuple(sorted(c.unit_id for c in consultations if c.answered_at is None))
    here = steps.current(dossier)
    step = (
        here is None and bool(steps.steps_of(dossier)),
        steps.unit_id_of(dossier, here),
        steps.capability_of(here),
    )
    # A deputy signs under delegations that cover some procedures, from a day to a day.
    signing = (dossier.procedure_id, at.astimezone(VIETNAM).date()) if deputy else None
    return (
        dossier.status, applicant, dossier.receiving_unit_id, dossier.deciding_unit_id,
        dossier.pending_unit_id, step, consulted, signing,
    )  # fmt: skip


@dataclass
class Kept:
    """What is remembered on a user object for the roles (and token) it holds. A user object
    is one request's: the catalog and delegations a deputy's answers depend on do not change
    under it."""

    deputy: bool
    allowed: dict[MayKey, tuple[ActionSpec, ...]] = field(default_factory=dict)


def kept_for(user: User) -> Kept:
    return permissions.kept_for_roles(user, OFFERS, lambda: Kept(is_deputy_somewhere(user)))


def is_deputy_somewhere(user: User) -> bool:
    """Whether the user signs as a deputy for any unit (``signature.title_and_rank``)."""
    return any(signer_title_kept(user, role.unit_id)[1] for role in permissions.active_roles(user))
