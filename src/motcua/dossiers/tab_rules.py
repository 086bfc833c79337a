"""The worklist's tabs as conditions on dossiers: what each tab holds, for its pages and for its
count (``TabRule``), and the search box's condition. ``selectors`` reads them."""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.common.prepared import Among
from motcua.common.text import fold_words
from motcua.worktime.engine import VIETNAM_OFFSET

from .constants import FINAL, OPEN_STATUSES, WAITING_FOR_APPLICANT, Decision, Status
from .models import Consultation

DUE_SOON_DAYS = 2
RECEIVED_OR_WHOLE = (Capability.VIEW_RECEIVED_DOSSIERS, Capability.VIEW_UNIT_DOSSIERS)


def at_step_of(*roles: str) -> Q:
    """Standing at a step performed by one of ``roles`` (the role the kernel keeps on the row)."""
    return Q(step_role__in=roles)


def in_units(field: str, ids: Iterable[int]) -> Q:
    """``field IN ids``; an empty list is "nothing" without making the whole count query empty
    (Django drops a query whose condition is an empty IN, counts of the other tabs included)."""
    ids = list(ids)
    return Q(**{f"{field}__in": ids}) if ids else Q(pk__isnull=True)


def mine_filter(user: User) -> TabRule:
    """Assigned to me, standing at a step of a role I hold in the deciding unit, approved and
    waiting for its result to be prepared (processing officers), or ready to hand over.

    An assignment names the specialist of the specialists' steps (as ``steps.handler`` shows
    it): once the dossier is forwarded to a leader's step it is the leader's, not the
    specialist's, though the assignee stays on the row for when it comes back."""
    specialists_step = Q(step_role=Role.SPECIALIST) | Q(step_role="")
    by_unit = step_roles_by_unit(user)
    condition = Q(assignee_id=user.pk) & specialists_step
    if not any(permissions.unit_ids_held(user, held) for held in RECEIVED_OR_WHOLE):
        # An officer who reads only what their units decide (a specialist, a division head):
        # the assignments of units where they hold a role only (they can act nowhere else).
        # Each branch then names its unit: for one unit, PostgreSQL takes the same
        # ``deciding_unit_id = …`` out of the OR and walks the unit's ordered open index.
        # Left to the assignee's own index, this branch made it expect a few rows and read all
        # the unit's open ones from the table to sort them (a specialist's page: 41 ms at 1 M
        # dossiers, session 39). Not for those who read what their unit received: with the
        # receiving unit's part, that lone unit test underestimated the part and did the same.
        condition &= in_units("deciding_unit_id", by_unit)
    for unit_id, roles in by_unit.items():
        free = Q(assignee__isnull=True) | ~specialists_step
        condition |= Q(deciding_unit_id=unit_id) & free & at_step_of(*roles)
    # Branches for units the officer has none of are left out rather than written as "nothing"
    # (``id IS NULL``): such an OR branch leads PostgreSQL to the status index of every unit.
    processing = permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER)
    if processing:
        condition |= (
            Q(status=Status.PROCESSING, decision=Decision.APPROVED)
            & (Q(assignee_id=user.pk) | Q(assignee__isnull=True))
            & Q(deciding_unit_id__in=sorted(processing))
        )
    # The status first: the step look-ups then run for dossiers in hand only.
    in_hand = [status for status in OPEN_STATUSES if status != Status.PROCESSED]
    rule = TabRule(Q(status__in=in_hand) & condition, ~Q(status=Status.PROCESSED) & condition)
    returning = permissions.unit_ids_with(user, Capability.RETURN_RESULT)
    if returning:
        rule |= Q(status=Status.PROCESSED) & Q(receiving_unit_id__in=sorted(returning))
    # Not ``names_status``: the statuses are inside the OR of the returning branch, which
    # PostgreSQL cannot read as "open" for the open indexes (the reception's page: 128 ms).
    return rule


def step_roles_by_unit(user: User) -> dict[int, list[str]]:
    """The processing roles the officer holds, by unit (supervisors and administrators do not
    process dossiers)."""
    found: dict[int, list[str]] = {}
    for role in permissions.active_roles(user):
        if role.role not in permissions.SUBTREE_ROLES:
            found.setdefault(role.unit_id, []).append(role.role)
    return found


def consulted_filter(user: User) -> TabRule:
    """Open consultations asked of my units. Without such units: "nothing" as ``in_units``
    says it (an empty IN inside the subquery would empty the counts of every tab)."""
    units = list(permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER))
    if not units:
        return TabRule.both(Q(pk__isnull=True))
    asked = Among(Consultation, "dossier_id", Q(answered_at__isnull=True, unit_id__in=units))
    # A stopped or refused dossier needs no answer any more. (A list: a set's order is not
    # kept when its values are put back into a prepared query.)
    return TabRule(Q(pk__in=asked) & ~Q(status__in=sorted(FINAL)), Q(pk__in=asked))


@dataclass(frozen=True)
class TabRule:
    """A tab's rule for its pages, and the same rule for its count. The counts read open
    dossiers only (``tab_count_query``), so their rules leave out the tests of an open status
    that every counted row passes (evaluated for each open dossier of a big ward, they were a
    quarter of the count's time); the pages use the whole rule."""

    page: Q
    count: Q
    # The page rule holds open statuses only, and says which: the pages then do not add "an
    # open status" again (each repetition makes PostgreSQL expect fewer rows: "Chờ công dân"
    # of a big ward was read from the table and sorted, session 39).
    names_status: bool = False

    @classmethod
    def both(cls, rule: Q) -> TabRule:
        return cls(rule, rule)

    def __and__(self, other: Q) -> TabRule:
        return TabRule(self.page & other, self.count & other, self.names_status)

    def __or__(self, other: Q) -> TabRule:
        return TabRule(self.page | other, self.count | other)

    def after(self, first: Q) -> TabRule:
        """``first`` and this rule, ``first`` tested first. PostgreSQL tests a count's
        conditions in the order written, row by row (it orders a scan's, not an aggregate's):
        a due date's range, false for most of a ward's open dossiers, spares the tests of the
        status and units (a quarter of the count statement, session 34)."""
        return TabRule(first & self.page, first & self.count, self.names_status)


def tab_rules(user: User, at: datetime.datetime) -> dict[str, TabRule]:
    """Each tab's rule, for its pages and for its count (``TabRule``)."""
    receivers = permissions.unit_ids_with(
        user, Capability.RECEIVE_DOSSIER
    ) | permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER)
    local = at.astimezone(VIETNAM_OFFSET)
    # The day's last instant, whatever the moment's microseconds: the same bounds all day, so
    # that counts kept between requests (``count_cache``) are kept under the same key.
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999_999)
    # A processed dossier (open until its result is handed over) is no longer due.
    # Nor is one waiting for the applicant's supplement or payment: its clock is stopped (the
    # "waiting" tab holds it), and its deadline is set again when the applicant acts.
    running = Q(finished_at__isnull=True) & ~Q(status__in=WAITING_FOR_APPLICANT)
    running &= held_by_units(user)
    open_ = TabRule(running & Q(status__in=OPEN_STATUSES), running, names_status=True)
    receiving = permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER)
    to_receive = (
        [Q(status=Status.NEW) & Q(receiving_unit_id__in=sorted(receiving))] if receiving else []
    )
    to_receive += [Q(pending_unit_id__in=sorted(receivers))] if receivers else []
    soon = end_of_day + datetime.timedelta(days=DUE_SOON_DAYS)
    return {
        "to_receive": TabRule.both(
            functools.reduce(operator.or_, to_receive) if to_receive else in_units("pk", [])
        ),
        "consultations": consulted_filter(user),
        "mine": mine_filter(user),
        "due_today": open_.after(Q(due_at__gte=at, due_at__lte=end_of_day)),
        "due_soon": open_.after(Q(due_at__gt=end_of_day, due_at__lte=soon)),
        "overdue": open_.after(Q(due_at__lt=at)),
        # Waiting dossiers are never finished (only processing's end, a stop or a refusal
        # sets ``finished_at``): said on the page's rule, PostgreSQL skips the segments of
        # finished dossiers instead of reading a ward's processed ones (5.8 ms, session 34).
        "waiting": TabRule(
            Q(status__in=WAITING_FOR_APPLICANT, finished_at__isnull=True),
            Q(status__in=WAITING_FOR_APPLICANT),
            names_status=True,
        ),
        "all": TabRule.both(Q()),
    }


def held_by_units(user: User) -> Q:
    """Dossiers the officer's units hold: receive, decide, or are asked to take over. The due
    tabs list those only: a dossier a unit transferred away or was consulted on is read there
    for reference, and its due date is another unit's (a consultation's own date is in
    "Cần cho ý kiến"). A supervisor (or administrator) reads the units below them: every late
    dossier they can read is theirs to watch, and their hundreds of units would be repeated in
    every tab of every part of the count (decision 0043)."""
    roles = permissions.active_roles(user)
    if any(role.role in permissions.SUBTREE_ROLES for role in roles):
        return Q()
    units = sorted({role.unit_id for role in roles})
    if not units:
        return Q(pk__isnull=True)
    return (
        Q(receiving_unit_id__in=units)
        | Q(deciding_unit_id__in=units)
        | Q(pending_unit_id__in=units)
    )


def search_filter(query: str) -> Q:
    text = query.strip()
    if not text:
        return Q()
    digits = text.replace(" ", "")
    found = (
        Q(code__icontains=text)
        | Q(ref__iexact=text)
        | Q(applicant_id_number=digits)
        | Q(applicant_name__icontains=text)
    )
    folded = fold_words(text)
    # A text of no letters or digits ("!!!", "%") folds to nothing, which every name contains.
    return found | Q(applicant_name_folded__contains=folded) if folded else found
