"""The worklist's pages by key (decision 0020): sort keys and segments, signed page tokens,
the page's ids as index walks part by part, and the page's rows as plain values. Split from
``selectors`` (which re-exports these names) so that each module holds one concern."""

from __future__ import annotations

import datetime
import functools
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core import signing
from django.db import connection
from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from motcua.common.inline import attach_all, inline_annotations
from motcua.common.prepared import PreparedQuery, ShapedQuery

from .constants import OPEN_STATUSES, Status
from .models import Dossier
from .reading import CONSULTATIONS

if TYPE_CHECKING:
    from .selectors import WorklistScope

# "Tất cả" is counted up to this many dossiers: an index-only range that stops there, whatever
# the unit's history (decision 0020); the working tabs are counted exactly.
ALL_COUNT_CAP = 10_000


@dataclass(frozen=True)
class Key:
    """One column of a sort order; the last key of every order is the primary key, so that
    pages neither overlap nor skip a row."""

    field: str
    descending: bool = False

    def order(self, reverse: bool) -> str:
        return f"-{self.field}" if self.descending != reverse else self.field


@dataclass(frozen=True)
class Segment:
    """Rows of a sort order that come in one block, ordered by ``keys`` that are never null
    within it (so that "after this row" is a plain range of an index). ``among_open`` is the
    same condition for open dossiers (working tabs), without repeating the status: each
    repetition makes PostgreSQL expect fewer rows, and choose its plan by that."""

    condition: Q
    keys: tuple[Key, ...]
    among_open: Q | None = None

    def condition_for(self, opened: bool) -> Q:
        return self.among_open if opened and self.among_open is not None else self.condition


_UNFINISHED = Q(status__in=OPEN_STATUSES, finished_at__isnull=True)
_DATED = (Key("due_at"), Key("submitted_at", descending=True), Key("id", descending=True))
_UNDATED = _DATED[1:]
_WITH_DATE, _WITHOUT_DATE = Q(due_at__isnull=False), Q(due_at__isnull=True)
# Due date: open dossiers first, the most overdue first, those without a date last (newest
# submission first); then the finished ones in the same order. Code: dossiers without a code
# (not received) last, by id.
SEGMENTS: dict[str, list[Segment]] = {
    "due": [
        Segment(_UNFINISHED & _WITH_DATE, _DATED, Q(finished_at__isnull=True) & _WITH_DATE),
        Segment(_UNFINISHED & _WITHOUT_DATE, _UNDATED, Q(finished_at__isnull=True) & _WITHOUT_DATE),
        Segment(~_UNFINISHED & _WITH_DATE, _DATED, Q(finished_at__isnull=False) & _WITH_DATE),
        Segment(
            ~_UNFINISHED & _WITHOUT_DATE, _UNDATED, Q(finished_at__isnull=False) & _WITHOUT_DATE
        ),
    ],
    "submitted": [Segment(Q(), (Key("submitted_at", descending=True), Key("id", descending=True)))],
    "code": [
        Segment(Q(code__isnull=False), (Key("code"), Key("id"))),
        Segment(Q(code__isnull=True), (Key("id"),)),
    ],
}


def sort_columns(sort: str) -> tuple[Key, ...]:
    """The keys of the order's first segment, which hold those of the others: the outer order
    of the page's rows (within one segment, a key the segment lacks is the same for all)."""
    return SEGMENTS[sort][0].keys


@dataclass(frozen=True)
class PageCursor:
    """Where a page starts: after (or, ``before``, ending before) the row whose key in
    ``segment`` of ``sort`` is ``values``. ``position`` is the place of the page's first row in
    the tab when the token was made (for "hồ sơ 51–100"; rows come and go meanwhile)."""

    sort: str
    segment: int
    values: tuple[Any, ...]
    before: bool = False
    position: int = 0


class PageTokenError(ValueError):
    """A page token that was not made here, was changed, or belongs to another tab or sort
    order (a row's place in one tab says nothing of its place in another)."""

    message = _(
        "Mã trang không hợp lệ hoặc thuộc danh sách, cách sắp xếp khác; hãy mở lại trang đầu."
    )
    message_en = (
        "The page token is not valid or belongs to another tab or sort order; open the first "
        "page again."
    )


TOKEN_SALT = "motcua.dossiers.worklist.page"
TOKEN_MAX_LENGTH = 400
MAX_POSITION = 10_000_000


def page_token(cursor: PageCursor, tab: str) -> str:
    """The cursor in ``tab``, signed (the key is the site's secret): opaque, and refused if
    changed or used on another tab. The first page has no token ("")."""
    if not cursor.values:
        return ""
    values = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in cursor.values]
    raw = [cursor.sort, cursor.segment, values, int(cursor.before), cursor.position, tab]
    return signing.dumps(raw, salt=TOKEN_SALT, compress=True)


def page_cursor(token: str, sort: str, tab: str) -> PageCursor | None:
    """The cursor of a page token made for ``sort`` in ``tab``; None for no token (the first
    page)."""
    if not token:
        return None
    try:
        if len(token) > TOKEN_MAX_LENGTH:
            raise ValueError("too long")
        name, segment, values, before, position, made_in = signing.loads(token, salt=TOKEN_SALT)
        if name != sort or not 0 <= segment < len(SEGMENTS[sort]):
            raise ValueError("another sort order")
        if made_in != tab:
            raise ValueError("another tab")
        if before not in (0, 1) or not 0 <= position <= MAX_POSITION:
            raise ValueError("out of range")
        keys = SEGMENTS[sort][segment].keys
        parsed = tuple(key_value(key, value) for key, value in zip(keys, values, strict=True))
    except (signing.BadSignature, ValueError, TypeError, KeyError, zlib.error) as error:
        raise PageTokenError(str(error)) from error
    return PageCursor(sort, segment, parsed, bool(before), position)


def key_value(key: Key, value: Any) -> Any:
    if key.field.endswith("_at"):
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a moment without its offset")
        return moment
    if key.field == "id" and type(value) is not int:
        raise TypeError("id")
    if key.field == "code" and type(value) is not str:
        raise TypeError("code")
    return value


def beyond(keys: tuple[Key, ...], values: tuple[Any, ...], *, before: bool) -> Q:
    """Rows after (``before``: before) the row whose key is ``values``, each key in its own
    direction: ``k1 > v1 OR (k1 = v1 AND k2 < v2) OR …``, and the first key's bound alone
    (``k1 >= v1``) so that the database starts the index range there."""
    terms = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        lookup = "gt" if key.descending == before else "lt"
        terms.append(equal & Q(**{f"{key.field}__{lookup}": value}))
        equal &= Q(**{key.field: value})
    first = keys[0]
    bound = Q(**{f"{first.field}__{'gte' if first.descending == before else 'lte'}": values[0]})
    return bound & functools.reduce(operator.or_, terms)


@dataclass(frozen=True)
class TabSource:
    """A tab's dossiers: the scope narrowed by the tab's ``rule`` (None: "all"; otherwise open
    dossiers only, a working tab), as the disjoint parts of the scope (each one index range),
    and whole (one condition, for a database that cannot order and limit each part of a
    UNION)."""

    scope: WorklistScope
    rule: Q | None = None
    names_status: bool = False  # the rule holds open statuses only (``TabRule.names_status``)

    @classmethod
    def of(cls, scope: WorklistScope, rule: Q | None, names_status: bool = False) -> TabSource:
        return cls(scope, rule, names_status)

    @property
    def opened(self) -> bool:
        return self.rule is not None

    @property
    def parts(self) -> list[QuerySet[Dossier]]:
        if self.rule is None:
            return self.scope.parts()
        rule = self.rule
        if self.names_status:
            return [part.filter(rule) for part in self.scope.parts()]
        return [part.filter(status__in=OPEN_STATUSES).filter(rule) for part in self.scope.parts()]

    @property
    def whole(self) -> QuerySet[Dossier]:
        if self.rule is None:
            return self.scope.readable()
        return self.scope.in_progress().filter(self.rule)

    @property
    def conditions(self) -> list[Q | None]:
        return [*self.scope.conditions, self.rule]


@dataclass(frozen=True)
class PageWindow:
    ids: list[int]
    position: int
    next: PageCursor | None
    previous: PageCursor | None


def page_window(
    source: TabSource, sort: str, size: int, cursor: PageCursor | None, offset: int,
    keep: Callable[[list[int]], list[int]] | None = None, empty: frozenset[int] = frozenset(),
    per_values: bool = True,
) -> PageWindow:  # fmt: skip
    """The page's ids and the cursors around it: one query of ``size + 1`` rows, the extra
    one saying whether there is more in that direction. ``keep`` leaves rows out of the page
    (a replica's page rechecked on the primary) before the cursors are made, so that no cursor
    carries the sort key (a code, a due date, an id) of a row left out. ``empty``: segments of
    the order that the tab's count found empty (not walked). ``per_values``: the page's
    statement planned for its values (``PAGE_KEYS``)."""
    if cursor is not None and cursor.before:
        found = page_keys(source, sort, cursor, size + 1, empty=empty, per_values=per_values)
        more = len(found) > size
        if not more and len(found) < size:  # the start of the tab is near: the first page
            return page_window(source, sort, size, None, 0, keep, empty, per_values)
        found = kept_rows(found[:size][::-1], keep)
        position = max(cursor.position, 1) if more else 0
        if not found:
            return PageWindow([], position, None, PageCursor(sort, 0, (), position=0))
        return PageWindow(
            [row["id"] for row in found], position, cursor_at(sort, found[-1], position + size),
            cursor_at(sort, found[0], max(0, position - size), before=True) if more else None,
        )  # fmt: skip
    found = page_keys(source, sort, cursor, size + 1, offset, empty, per_values)
    position = cursor.position if cursor is not None else offset
    page = kept_rows(found[:size], keep)
    following = cursor_at(sort, page[-1], position + size) if len(found) > size and page else None
    preceding = None
    if position > 0 or cursor is not None:
        preceding = (
            cursor_at(sort, page[0], max(0, position - size), before=True)
            if page
            else PageCursor(sort, 0, (), position=0)  # nothing left here: the first page
        )
    return PageWindow([row["id"] for row in page], position, following, preceding)


def kept_rows(
    rows: list[dict[str, Any]], keep: Callable[[list[int]], list[int]] | None
) -> list[dict[str, Any]]:
    if keep is None or not rows:
        return rows
    kept = set(keep([row["id"] for row in rows]))
    return [row for row in rows if row["id"] in kept]


def cursor_at(sort: str, row: dict[str, Any], position: int, *, before: bool = False) -> PageCursor:
    keys = SEGMENTS[sort][row["seg"]].keys
    values = tuple(row[key.field] for key in keys)
    return PageCursor(sort, row["seg"], values, before, position)


def page_keys(
    source: TabSource, sort: str, cursor: PageCursor | None, count: int, offset: int = 0,
    empty: frozenset[int] = frozenset(), per_values: bool = True,
) -> list[dict[str, Any]]:  # fmt: skip
    """``count`` rows (id, segment and sort key) of the tab in the order of ``sort`` from the
    cursor (backwards when it is "before"), after ``offset`` rows.

    On PostgreSQL: a UNION ALL of one query per part of the scope and segment of the order, each
    ordered and limited along an index (``dossier_receiving_due`` …), so that no page sorts a
    unit's whole history; the outer query orders the few rows they give. Elsewhere (SQLite
    cannot order the parts of a UNION) one query over the whole scope."""
    if cursor is not None and not cursor.values:
        cursor = None
    reverse = cursor is not None and cursor.before
    chosen = []
    for number, segment in enumerate(SEGMENTS[sort]):
        if cursor is not None and (number > cursor.segment if reverse else number < cursor.segment):
            continue
        if number in empty:
            continue
        condition = segment.condition_for(source.opened)
        if cursor is not None and number == cursor.segment:
            condition &= beyond(segment.keys, cursor.values, before=reverse)
        chosen.append((number, segment, condition))
    if reverse:
        chosen.reverse()
    if not chosen or not source.scope.branches:
        return []
    numbers = tuple(number for number, _segment, _condition in chosen)
    extra = (
        len(source.scope.branches), source.names_status, sort, numbers, reverse, offset, count,
        per_values,
    )  # fmt: skip
    return PAGE_KEYS.values(extra, [*source.conditions, *[c for _n, _s, c in chosen]])


def page_keys_built(extra: Any, conditions: list[Q | None]) -> QuerySet[Dossier, Any]:
    """The query of ``page_keys`` for a shape (``PAGE_KEYS``), from the conditions it gives:
    the scope's, the tab's rule, and one per chosen segment of the order."""
    from .selectors import WorklistScope  # here: selectors imports this module

    branch_count, names_status, sort, numbers, reverse, offset, count, _per_values = extra
    scope = WorklistScope.from_conditions(conditions, branch_count)
    source = TabSource(scope, conditions[branch_count + 1], names_status)
    segments = SEGMENTS[sort]
    chosen = [
        (number, segments[number], cast(Q, condition))
        for number, condition in zip(numbers, conditions[branch_count + 2 :], strict=True)
    ]
    columns = ["id", "seg", *[key.field for key in sort_columns(sort) if key.field != "id"]]
    outer = [Key("seg", descending=False).order(reverse)]
    outer += [key.order(reverse) for key in sort_columns(sort)]
    if not connection.features.supports_slicing_ordering_in_compound:
        return whole_keys(source, chosen, columns, outer, offset, count)
    queries = [
        part.filter(condition)
        .annotate(seg=Value(number, output_field=IntegerField()))
        .order_by(*[key.order(reverse) for key in segment.keys])
        .values(*columns)
        for number, segment, condition in chosen
        for part in source.parts
    ]
    if len(queries) == 1:
        return queries[0][offset : offset + count]
    limited = [query[: offset + count] for query in queries]
    union = limited[0].union(*limited[1:], all=True).order_by(*outer)
    return union[offset : offset + count]


# The statuses written into the SQL, so that a generic plan of a prepared page statement walks
# the open-dossier partial indexes that name them (decision 0047). Whether a statement is
# prepared or planned for its values is the caller's choice (``page_planned_per_values``).
PAGE_KEYS = ShapedQuery(
    page_keys_built, routed=Dossier, plan_per_values=lambda extra: extra[-1],
    written=frozenset(Status.values),
)  # fmt: skip


def whole_keys(
    source: TabSource,
    chosen: list[tuple[int, Segment, Q]],
    columns: list[str],
    outer: list[str],
    offset: int,
    count: int,
) -> QuerySet[Dossier, Any]:
    # An order of one segment has no condition to tell segments apart (When() refuses Q()).
    segment_of: Case | Value = Value(chosen[0][0], output_field=IntegerField())
    if all(segment.condition for _, segment, _ in chosen):
        whens = [When(segment.condition, then=Value(number)) for number, segment, _ in chosen]
        segment_of = Case(*whens, output_field=IntegerField())
    rows = (
        source.whole.filter(functools.reduce(operator.or_, [c for _, _, c in chosen]))
        .annotate(seg=segment_of)
        .order_by(*outer)
        .values(*columns)
    )
    return rows[offset : offset + count]


# Long texts and documents a list never shows (nor do the actions offered on its rows: the
# applicant's snapshot and the supplement's items were two JSON decodings a row).
LIST_DEFERRED = (
    "eform_data", "checklist", "result_note", "applicant", "supplement_items",
    "procedure__eform_schema", "procedure__steps_text",
    "procedure__legal_basis", "procedure__search_text", "procedure__conditions",
    "procedure__results", "procedure__executing_bodies", "procedure__applicant_types",
    "procedure__gaps", "procedure__name_folded", "receiving_unit__attributes",
    "receiving_unit__note", "deciding_unit__attributes", "deciding_unit__note",
)  # fmt: skip


def rows_of(ids: list[int]) -> list[Dossier]:
    """The page's dossiers as model instances with their consultations, in the page's order
    (the API's items)."""
    if not ids:
        return []
    read = rows_query(len(ids))
    found = {dossier.pk: dossier for dossier in read(**{f"id{i}": pk for i, pk in enumerate(ids)})}
    for dossier in found.values():
        attach_all(dossier, CONSULTATIONS)
    return [found[pk] for pk in ids if pk in found]


def rows_built(ids: list[int]) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(pk__in=ids)
        .select_related("procedure", "receiving_unit", "deciding_unit", "assignee")
        .defer(*LIST_DEFERRED)
        # The actions offered on each item ask which units are consulted: the consultations
        # come inside this one query, as in a dossier's read (``prefetch_related`` cost a
        # query and a sixth of the API list's CPU).
        .annotate(**inline_annotations(CONSULTATIONS))
        .order_by()
    )


@functools.lru_cache(maxsize=256)
def rows_query(count: int) -> PreparedQuery[Dossier]:
    """The page's rows by ``count`` ids, compiled once per page length (a page is 50 rows
    unless it is the last): four joined tables and the deferred columns cost a fifth of an
    API worklist request to compile again each time."""
    names = [f"id{i}" for i in range(count)]
    samples: dict[str, Any] = {name: (i + 1, i + 1 + count) for i, name in enumerate(names)}
    return PreparedQuery(
        lambda **ids: rows_built([ids[name] for name in names]), routed=Dossier, **samples
    )


# What a row of the officer's list shows: read as plain values, no model instances.
LIST_COLUMNS = ("id", "ref", "code", "applicant_name", "procedure__name", "status", "due_at",
                "finished_at")  # fmt: skip
STATUS_LABELS = dict(Status.choices)


def list_rows(ids: list[int]) -> list[dict[str, Any]]:
    """The page's rows for the officer's list: the columns it shows, in the page's order."""
    found = {
        row["id"]: row
        for row in Dossier.objects.filter(pk__in=ids)
        .order_by()
        .values(*LIST_COLUMNS, bundle_marker=KT("eform_data__bundle__id"))  # in the same query
    }
    rows = [found[pk] for pk in ids if pk in found]
    for row in rows:
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    return rows
