"""Reads of dossiers for officers: worklists with counts, one dossier with its history."""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    F,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.numbers import small_int
from motcua.common.prepared import ShapedQuery
from motcua.common.replicas import replica_served
from motcua.worktime.engine import VIETNAM_OFFSET

from .constants import CHANNELS, OPEN_STATUSES, Status
from .models import Consultation, Dossier
from .reading import dossier_read
from .tab_rules import at_step_of, in_units, search_filter, tab_rules
from .worklist_counts import (  # noqa: F401 - re-exported: callers import them from here
    COUNTS,
    NEXT_DUE,
    TabSplit,
    tab_count_query,
    tab_counts,
    worklist_counted,
)
from .worklist_pages import (  # noqa: F401 - re-exported: callers import them from here
    ALL_COUNT_CAP,
    LIST_COLUMNS,
    LIST_DEFERRED,
    MAX_POSITION,
    SEGMENTS,
    STATUS_LABELS,
    TOKEN_MAX_LENGTH,
    TOKEN_SALT,
    Key,
    PageCursor,
    PageTokenError,
    PageWindow,
    Segment,
    TabSource,
    beyond,
    cursor_at,
    key_value,
    list_rows,
    page_cursor,
    page_keys,
    page_token,
    page_window,
    rows_of,
    sort_columns,
    whole_keys,
)

TABS = [
    ("to_receive", _("Chờ tiếp nhận")),
    ("mine", _("Của tôi")),
    ("consultations", _("Cần cho ý kiến")),
    ("due_today", _("Đến hạn hôm nay")),
    ("due_soon", _("Sắp đến hạn")),
    ("overdue", _("Quá hạn")),
    ("waiting", _("Chờ công dân")),
    ("all", _("Tất cả")),
]


SORTS = [
    ("due", _("Hạn trả (quá hạn trước)")),
    ("submitted", _("Ngày nộp (mới nhất trước)")),
    ("code", _("Mã hồ sơ")),
]
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
STEP_ROLES = [Role.RECEPTION, Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER]
# Above this many consulted dossiers the visibility test keeps them in a subquery instead of a
# list of ids (a list lets PostgreSQL combine the indexes of every branch of the OR).
CONSULTED_INLINE_MAX = 1_000


@dataclass(frozen=True)
class WorklistFilters:
    """Narrowing of the worklist; counts of every tab are taken with the same filters.

    ``step`` is a step's order ("2") or the role that performs it ("specialist"). Due dates are
    days in Hà Nội, both ends included. Unknown values are dropped by ``cleaned``."""

    procedure: str = ""
    step: str = ""
    status: str = ""
    channel: str = ""
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None

    def cleaned(self) -> WorklistFilters:
        step = self.step.strip()
        return WorklistFilters(
            procedure=self.procedure.strip()[:30],
            step=step if small_int(step, digits=2) is not None or step in STEP_ROLES else "",
            status=self.status if self.status in Status.values else "",
            channel=self.channel if self.channel in CHANNELS else "",
            due_from=self.due_from,
            due_to=self.due_to,
        )

    @property
    def active(self) -> bool:
        return any(
            (self.procedure, self.step, self.status, self.channel, self.due_from, self.due_to)
        )

    def condition(self) -> Q:
        condition = Q()
        if self.procedure:
            codes = Procedure.objects.filter(code=self.procedure).order_by().values("pk")
            condition &= Q(procedure_id__in=codes)
        if (order := small_int(self.step, digits=2)) is not None:
            condition &= Q(current_step=order)
        elif self.step:
            condition &= at_step_of(self.step)
        if self.status:
            condition &= Q(status=self.status)
        if self.channel:
            condition &= Q(channel=self.channel)
        if self.due_from:
            condition &= Q(due_at__gte=day_start(self.due_from))
        if self.due_to:
            condition &= Q(due_at__lt=day_start(self.due_to + datetime.timedelta(days=1)))
        return condition


@dataclass(frozen=True)
class Worklist:
    """One page of a tab. ``counts`` are per tab with the same search and filters; ``total`` is
    the chosen tab's count, a lower bound for a tab in ``capped`` ("Tất cả" beyond
    ``ALL_COUNT_CAP``). ``position`` is the place of the page's first row in the tab, from 0;
    the tokens open the next and the previous page ("" for the first page)."""

    tab: str
    counts: dict[str, int]
    dossiers: list[Any]
    position: int = 0
    page_size: int = PAGE_SIZE
    sort: str = "due"
    filters: WorklistFilters = field(default_factory=WorklistFilters)
    capped: frozenset[str] = frozenset()
    next_token: str | None = None
    previous_token: str | None = None

    @property
    def total(self) -> int:
        return self.counts.get(self.tab, 0)

    @property
    def total_exact(self) -> bool:
        return self.tab not in self.capped

    @property
    def page(self) -> int:
        return self.position // self.page_size + 1

    @property
    def pages(self) -> int | None:
        """How many pages the tab has; None when its count is a lower bound."""
        if not self.total_exact:
            return None
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.previous_token is not None

    @property
    def has_next(self) -> bool:
        return self.next_token is not None

    @property
    def first_index(self) -> int:
        """Position (from 1) of the page's first dossier in the tab."""
        return self.position + 1 if self.dossiers else 0

    @property
    def last_index(self) -> int:
        return self.position + len(self.dossiers)


# The due days a filter takes. No dossier is due outside them, and at the calendar's ends a
# day's start in Hà Nội has no UTC time (year 1) or no next day (year 9999): 500s, once.
DUE_DAYS = (datetime.date(1900, 1, 1), datetime.date(9998, 12, 31))


def due_day_out_of_range(day: datetime.date | None) -> bool:
    return day is not None and not DUE_DAYS[0] <= day <= DUE_DAYS[1]


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=VIETNAM_OFFSET)


def visible_dossiers(user: User) -> QuerySet[Dossier]:
    """Dossiers the officer's roles let them read (see ``visibility``)."""
    return Dossier.objects.filter(visibility(user, consulted_subquery))


def consulted_subquery(units: list[int]) -> Q:
    consulted = Consultation.objects.filter(unit_id__in=units).order_by().values("dossier_id")
    return Q(pk__in=consulted)


def visibility(user: User, consulted: Callable[[list[int]], Q]) -> Q:
    """Least privilege: what each role needs to do its work, no more (see ``visibility_branches``)."""
    condition = Q(pk__isnull=True)
    for branch in visibility_branches(user, consulted):
        condition |= branch
    return condition


def visibility_branches(user: User, consulted: Callable[[list[int]], Q]) -> list[Q]:
    """The officer's readable dossiers as a union of conditions, one per column they rest on
    (so that each is one index range, and a union can be counted part by part).

    Division heads and leaders (``view_unit_dossiers``) read every dossier their unit takes part
    in; supervisors the same, read-only, in the units below them too. Reception reads what its
    one-stop received and the transfers waiting for its unit. A specialist reads the dossiers of
    their unit assigned to them or not yet assigned to anyone, the transfers waiting for the
    unit, and the consultations asked of it. A unit administrator manages staff and reads none.
    """
    whole, receive, process = visibility_unit_sets(user)
    branches = []
    if whole | receive:
        branches.append(Q(receiving_unit_id__in=sorted(whole | receive)))
    if whole:
        # Those it also received are in the branch above: leaving them out here changes
        # nothing in the union, and makes this branch's part a range of the small partial
        # indexes ``dossier_elsewhere_*`` instead of every dossier the unit decides (the
        # lookup is what only they can serve, ``lookups``; the ``<>`` proves their condition).
        elsewhere = ~Q(deciding_unit=F("receiving_unit"))
        branches.append(Q(deciding_unit__elsewhere__in=sorted(whole)) & elsewhere)
    if process:
        assigned = Q(assignee_id=user.pk) | Q(assignee__isnull=True)
        branches.append(Q(deciding_unit_id__in=sorted(process)) & assigned)
    if whole | receive | process:
        branches.append(Q(pending_unit_id__in=sorted(whole | receive | process)))
    if whole:
        branches.append(Q(previous_unit_id__in=sorted(whole)))
    if whole | process:
        branches.append(consulted(sorted(whole | process)))
    return branches


def visibility_unit_sets(user: User) -> tuple[set[int], set[int], set[int]]:
    """The units whose every dossier the officer reads, those whose received dossiers they
    read, and those whose assigned dossiers they read (each without the first)."""
    whole = permissions.unit_ids_with(user, Capability.VIEW_UNIT_DOSSIERS)
    receive = permissions.unit_ids_with(user, Capability.VIEW_RECEIVED_DOSSIERS) - whole
    process = permissions.unit_ids_with(user, Capability.VIEW_ASSIGNED_DOSSIERS) - whole
    return whole, receive, process


def visibility_units(user: User) -> set[int]:
    """Every unit ``visibility_branches`` names: a dossier enters, leaves or changes in the
    officer's scope only with a change that marks one of them (``UnitMark``)."""
    whole, receive, process = visibility_unit_sets(user)
    return whole | receive | process


def party_unit_ids(dossier: Dossier) -> set[int | None]:
    """The units the dossier's row names: receiving, deciding, transfer waiting, transferred from."""
    return {
        dossier.receiving_unit_id, dossier.deciding_unit_id, dossier.pending_unit_id,
        dossier.previous_unit_id,
    }  # fmt: skip


def visibility_basis(user: User, dossier: Dossier) -> str:
    """Why the officer may read the dossier, in words for the access log."""
    parties = party_unit_ids(dossier)
    for capability, words in (
        (Capability.VIEW_UNIT_DOSSIERS, "lãnh đạo, giám sát đơn vị"),
        (Capability.VIEW_RECEIVED_DOSSIERS, "tiếp nhận, trả kết quả"),
        (Capability.VIEW_ASSIGNED_DOSSIERS, "xử lý hồ sơ"),
    ):
        if permissions.unit_ids_with(user, capability) & parties:
            return words
    return "cho ý kiến"


def worklist_scope(user: User) -> Q:
    """``visibility`` for lists: the consulted dossiers as a list of ids when there are not
    many, so that every branch of the OR can use an index (no scan of all dossiers)."""
    return visibility(user, consulted_condition)


def consulted_condition(units: list[int]) -> Q:
    asked: list[Q | None] = [Q(unit_id__in=units)]
    found = [row["dossier_id"] for row in CONSULTED.values(CONSULTED_INLINE_MAX + 1, asked)]
    if len(found) > CONSULTED_INLINE_MAX:
        return Q(pk__in=consulted_built(None, asked))
    return in_units("pk", sorted(found))  # in one order: the same ids, the same kept counts


def consulted_built(limit: Any, conditions: list[Q | None]) -> QuerySet[Consultation, Any]:
    asked = Consultation.objects.filter(*[c for c in conditions if c is not None]).order_by()
    ids = asked.values("dossier_id").distinct()
    return ids[:limit] if limit else ids


# Asked on every worklist request: compiled once per number of units (``common.prepared``);
# building and compiling it was a fifteenth of a leader's worklist request.
CONSULTED = ShapedQuery(consulted_built, routed=Consultation)


def dossier_worklist(
    *,
    user: User,
    tab: str,
    query: str,
    at: datetime.datetime,
    limit: int = PAGE_SIZE,
    page: int = 1,
    sort: str = "due",
    filters: WorklistFilters | None = None,
    cursor: PageCursor | None = None,
    rows: Callable[[list[int]], list[Any]] | None = None,
) -> Worklist:
    """Counts for every tab (two queries: the working tabs; "all" up to ``ALL_COUNT_CAP``, with
    the same search and filters) and one page of the chosen tab (its ids, then its ``rows``,
    model instances by default). The page is the one after or before ``cursor`` (keyset), else
    page number ``page`` (bounded by the count). Sorted by due date, overdue first, by default.
    The chosen tab is counted per segment of the order (``TabSplit``): its page walks only the
    segments holding rows. The counts are kept between requests while nothing they read has
    changed (``worklist_counted``). The number of queries does not grow with the number of
    dossiers."""
    chosen = (filters or WorklistFilters()).cleaned()
    tabs = tab_rules(user, at)
    sort = sort if sort in dict(SORTS) else "due"
    scope = WorklistScope.of(user, search_filter(query) & chosen.condition())
    # With no choice made, "mine" (the usual default) is the tab counted per segment.
    split = None if tab == "all" else TabSplit(tab if tab in tabs else "mine", sort)
    counted = worklist_counted(visibility_units(user), scope, tabs, split, at)
    counts, held = dict(counted.totals), list(counted.held)
    counts["all"] = counted.readable
    capped = frozenset({"all"} if counts["all"] > ALL_COUNT_CAP else ())
    counts["all"] = min(counts["all"], ALL_COUNT_CAP)
    if tab not in tabs:  # no choice made: my work, else what waits at my counter
        tab = "to_receive" if not counts["mine"] and counts["to_receive"] else "mine"
    size = max(1, min(limit, MAX_PAGE_SIZE))
    if cursor is not None and cursor.sort != sort:
        cursor = None
    pages = max(1, math.ceil(counts[tab] / size))
    offset = 0 if cursor is not None else (max(1, min(page, pages)) - 1) * size
    if tab != "all" and not counts[tab] and cursor is None:
        # Counted exactly, with the same search and filters, and none found: no page to look
        # for (an empty tab's page walked the unit's open dossiers to the end of the index).
        window = PageWindow([], 0, None, None)
    else:
        rule = None if tab == "all" else tabs[tab]
        source = TabSource.of(scope, rule.page if rule else None, bool(rule and rule.names_status))
        keep = functools.partial(still_visible, user)
        empty = split.empty_segments(held) if split and tab == split.tab else frozenset()
        per_values = page_planned_per_values(tab, query, chosen, sort, cursor, offset)
        window = page_window(source, sort, size, cursor, offset, keep, empty, per_values)
    return Worklist(
        tab, counts, (rows or rows_of)(window.ids), position=window.position, page_size=size,
        sort=sort, filters=chosen, capped=capped,
        next_token=page_token(window.next, tab) if window.next else None,
        previous_token=page_token(window.previous, tab) if window.previous else None,
    )  # fmt: skip


# The tabs whose first page is prepared (its generic plan reused) in the usual order with
# nothing searched or filtered: measured at 1 M dossiers against the plan made per request
# (decision 0047). The generic plan of "mine" walked a leader's decided dossiers through the
# wrong index (20 ms against 7); a search, a filter, another order or a later page makes shapes
# nobody measured (a cursor's page was slower generic at 20,000): planned each time.
GENERIC_PLAN_TABS = frozenset({
    "to_receive", "consultations", "due_today", "due_soon", "overdue", "waiting", "all",
})  # fmt: skip


def page_planned_per_values(
    tab: str, query: str, chosen: WorklistFilters, sort: str, cursor: PageCursor | None,
    offset: int,
) -> bool:  # fmt: skip
    measured = tab in GENERIC_PLAN_TABS and sort == "due" and cursor is None and offset == 0
    return not measured or bool(query.strip()) or chosen != WorklistFilters()


def still_visible(user: User, ids: list[int]) -> list[int]:
    """A page read from a replica: the dossiers the primary says the officer may read now. A
    dossier taken from them within the replica's lag (reassigned, transferred) is left out, so
    its applicant's name is not shown to someone who just lost it (an attacker's pass, session
    36); one query of the page's ids on the primary, only when a replica served the page."""
    if not ids or not replica_served():
        return ids
    allowed = set(
        Dossier.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk__in=ids)
        .filter(visibility(user, consulted_subquery))
        .values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in allowed]


def any_of(branches: list[Q]) -> Q:
    condition = Q(pk__isnull=True)  # no branch: nothing
    for branch in branches:
        condition |= branch
    return condition


@dataclass(frozen=True)
class WorklistScope:
    """The dossiers an officer's worklist reads: ``branches`` (``visibility_branches``, the
    consulted ones as a list of ids when few) narrowed by search and filters."""

    branches: list[Q]
    narrowing: Q

    @classmethod
    def of(cls, user: User, narrowing: Q) -> WorklistScope:
        return cls(visibility_branches(user, consulted_condition), narrowing)

    @classmethod
    def from_conditions(cls, conditions: list[Q | None], branch_count: int) -> WorklistScope:
        """The scope whose ``conditions`` are ``[*branches, narrowing, …]`` (a shaped query's)."""
        return cls(cast(list[Q], conditions[:branch_count]), conditions[branch_count] or Q())

    @property
    def conditions(self) -> list[Q | None]:
        return [*self.branches, self.narrowing]

    def readable(self) -> QuerySet[Dossier]:
        return Dossier.objects.filter(any_of(self.branches)).filter(self.narrowing)

    def in_progress(self) -> QuerySet[Dossier]:
        """Every tab but "all" holds open dossiers only (a few in a hundred): counted over those."""
        return self.readable().filter(status__in=OPEN_STATUSES)

    def count(self, limit: int | None = None) -> int:
        """How many dossiers are readable (up to ``limit``), in one query: each branch adds the
        dossiers that no branch before it holds (a UNION ALL of disjoint parts), so each part is
        one index range read from the index alone, and the count stops at ``limit``."""
        if not self.branches:
            return 0
        return READABLE.count((len(self.branches), limit), self.conditions)

    def readable_ids(self, limit: int | None) -> QuerySet[Dossier, Any]:
        parts = [part.values("pk") for part in self.parts()]
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return union[:limit] if limit else union

    def parts(self) -> list[QuerySet[Dossier]]:
        """The disjoint parts, built once per scope (the counts, "all" and the page each use
        them; building the excluded branches again cost a tenth of a worklist request)."""
        return list(self.built_parts)

    @functools.cached_property
    def built_parts(self) -> list[QuerySet[Dossier]]:
        found = []
        for index, branch in enumerate(self.branches):
            part = Dossier.objects.filter(branch).filter(self.narrowing)
            for earlier in self.branches[:index]:
                part = part.exclude(earlier)
            found.append(part.order_by())
        return found


def dossier_for_officer(user: User, ref: str) -> Dossier | None:
    """The dossier (by reference or code) if the officer may read it: one query (``reading``)."""
    return dossier_read(user, ref)


def readable_built(extra: Any, conditions: list[Q | None]) -> QuerySet[Dossier, Any]:
    branch_count, limit = extra
    return WorklistScope.from_conditions(conditions, branch_count).readable_ids(limit)


READABLE = ShapedQuery(readable_built, routed=Dossier, plan_per_values=True)
