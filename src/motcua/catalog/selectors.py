"""Reads of the catalog: search, detail, statistics, processes needing configuration."""

from __future__ import annotations

import copy
import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy

from motcua.common.errors import DomainError, worded
from motcua.organizations.constants import COMMUNE_LEVEL_KINDS, UnitKind
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_descendant_ids

from .competence import OUTSIDE_BY_RULE
from .constants import (
    ONLINE_SUBMISSION,
    OUTSIDE_ONE_STOP,
    CommuneBody,
    CompetenceLevel,
    OnlineLevel,
    ProcedureKind,
    ProcessStatus,
    TimeUnit,
)
from .models import (
    Channel,
    Fee,
    LegalLimit,
    Procedure,
    ProcedureCase,
    ProcessDefinition,
    Requirement,
    RequirementGroup,
)
from .revision import RevisionCache, catalog_cached
from .search import INDEX, Filters, search, unit_matches


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    page_size: int
    items: list[Procedure]
    suggestion: str = ""  # "did you mean": the query with its slips corrected

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def filters_for_unit(unit: Unit | None, **values: Any) -> Filters:
    if unit is None:
        return Filters(**values)
    if unit.kind in COMMUNE_LEVEL_KINDS or unit.kind == UnitKind.COMMUNE_POLICE:
        # Also what names the unit itself (a ward's one-stop receiving its police's procedures).
        return Filters(unit_kind=unit.kind, unit_ids=frozenset({unit.pk}), **values)
    return Filters(unit_ids=frozenset(unit_descendant_ids([unit.pk])), **values)


PLACED = frozenset(
    {CompetenceLevel.COMMUNE, CompetenceLevel.DEPARTMENT, CompetenceLevel.CITY,
     CompetenceLevel.CENTRAL_LOCAL}
)  # fmt: skip


def online_submission_open(procedure: Procedure) -> bool:
    """Whether a citizen may submit this procedure online here (else at the counter only): never
    when no Hà Nội unit is known to receive it, so step 1 always has a unit to choose."""
    return (
        procedure.in_hanoi_set
        and procedure.online_level in ONLINE_SUBMISSION
        and procedure.level in PLACED
    )


def receiving_units_of(procedure: Procedure, day: datetime.date) -> QuerySet[Unit]:
    """Where the procedure is received: any ward or commune of the city for commune procedures
    (reception regardless of address, Decree 118/2025), their police for the commune police's;
    otherwise only the units the competence rules name (the Center and its branches, an agency's
    own door), else the deciding unit."""
    units = Unit.objects.effective_on(day)
    if procedure.level == CompetenceLevel.COMMUNE:
        return units.filter(kind__in=commune_receiving_kinds(procedure)).order_by("name")
    chosen = units.filter(pk__in=procedure.receiving_units.values("pk"))
    if not chosen.exists() and procedure.deciding_unit_id:
        chosen = units.filter(pk=procedure.deciding_unit_id)
    return chosen.order_by("name")


def commune_receiving_kinds(procedure: Procedure) -> list[str]:
    """The kinds of unit that receive a commune-level procedure."""
    if procedure.commune_body == CommuneBody.POLICE:
        return [UnitKind.COMMUNE_POLICE]
    return list(COMMUNE_LEVEL_KINDS)


def forwards_to_commune_police(procedure: Procedure, unit: Unit) -> bool:
    """A ward's or commune's one-stop counter receives its police's procedures and forwards the
    step to them (một cửa liên thông at commune level): the police decide (``dossiers``)."""
    return (
        procedure.level == CompetenceLevel.COMMUNE
        and procedure.commune_body == CommuneBody.POLICE
        and unit.kind in COMMUNE_LEVEL_KINDS
    )


def may_receive(procedure: Procedure, unit: Unit, day: datetime.date) -> bool:
    """Whether ``unit`` may receive ``procedure`` (and forward it to where it is decided): one of
    its receiving units (``receiving_units_of``), or a commune counter for its police's
    procedures (``forwards_to_commune_police``). A procedure whose receiving units the catalog
    does not know yet is not refused for that."""
    if forwards_to_commune_police(procedure, unit):
        return True
    commune = procedure.level == CompetenceLevel.COMMUNE
    if commune and unit.kind in commune_receiving_kinds(procedure) and unit.is_effective_on(day):
        return True  # one of ``receiving_units_of``, known without a query
    allowed = receiving_units_of(procedure, day)
    return allowed.filter(pk=unit.pk).exists() or not allowed.exists()


class NoReceivingCompetence(DomainError):
    pass


def receiving_competence_check(procedure: Procedure, unit: Unit, day: datetime.date) -> None:
    """Refuses a unit that may not receive the procedure (``may_receive``), naming where it is
    received."""
    if may_receive(procedure, unit, day):
        return
    allowed = receiving_units_of(procedure, day)
    names = [u.name for u in allowed[:3]]
    raise NoReceivingCompetence(worded(
        gettext_lazy("%(unit)s không có thẩm quyền tiếp nhận thủ tục %(code)s. Nơi tiếp nhận: %(where)s."),
        {"unit": unit.name, "code": procedure.code,
         "where": ", ".join(names) + (f" (+{more})" if (more := allowed.count() - 3) > 0 else "")},
    ))  # fmt: skip


# What a list of results never shows: large texts and JSON, most of the page's fetch time.
LIST_DEFERS = (
    "eform_schema", "legal_basis", "results", "conditions", "steps_text", "gaps", "search_text",
    "executing_bodies", "source_url", "content_hash",
)  # fmt: skip


def procedure_search(
    *, query: str, filters: Filters, page: int = 1, page_size: int = 20
) -> SearchPage:
    index = INDEX.get()
    ranking = search(index, query, filters)
    page = max(1, page)
    chosen = ranking.positions[(page - 1) * page_size : page * page_size]
    ids = [index.docs[p].pk for p in chosen]
    rows = (
        Procedure.objects.select_related("field", "deciding_unit").defer(*LIST_DEFERS).in_bulk(ids)
    )
    items = [rows[i] for i in ids if i in rows]
    return SearchPage(len(ranking.positions), page, page_size, items, ranking.suggestion)


def procedure_detail(code: str) -> Procedure | None:
    return (
        Procedure.objects.select_related("field", "deciding_unit")
        .prefetch_related(
            "cases",
            "receiving_units",
            Prefetch("channels", queryset=Channel.objects.prefetch_related("fees")),
            Prefetch(
                "requirement_groups", queryset=RequirementGroup.objects.prefetch_related("items")
            ),
            Prefetch(
                "processes",
                queryset=ProcessDefinition.objects.filter(unit__isnull=True)
                .prefetch_related("steps")
                .order_by("-version"),
            ),
        )
        .filter(code=code)
        .order_by("-in_hanoi_set", "pk")  # a code shared by local variants: Hà Nội's first
        .first()
    )


REQUIREMENTS: RevisionCache[list[Requirement]] = RevisionCache(size=2_000)


def procedure_requirements(procedure_id: int) -> list[Requirement]:
    """Every document the procedure asks for, group by group (kept until the catalog changes)."""

    def read() -> list[Requirement]:
        items = Requirement.objects.filter(group__procedure_id=procedure_id)
        return list(items.order_by("group__order", "group_id", "order", "pk"))

    return REQUIREMENTS.get(procedure_id, read)


def catalog_stats(*, unit: Unit | None = None) -> dict[str, Any]:
    """Procedures of the Hà Nội set by online level and competence level (for a unit if given)."""
    index = INDEX.get()
    filters = filters_for_unit(unit)
    docs = [d for d in index.docs if d.in_hanoi_set and (unit is None or unit_matches(d, filters))]
    online = Counter(d.online_level for d in docs)
    levels = Counter(d.level for d in docs)
    return {
        "total": len(docs),
        "national_records": len(index.docs),
        "online": {level: online.get(level, 0) for level in OnlineLevel.values},
        "levels": {level: levels.get(level, 0) for level in CompetenceLevel.values},
    }


def processes_needing_configuration() -> QuerySet[ProcessDefinition]:
    return (
        ProcessDefinition.objects.filter(
            status=ProcessStatus.NEEDS_CONFIGURATION, procedure__in_hanoi_set=True
        )
        .select_related("procedure")
        .order_by("procedure__code")
    )


@dataclass
class GapReport:
    """The Hà Nội set by what reception can do with each procedure (``motcua catalog-check``)."""

    total: int = 0
    from_record: int = 0
    from_legal_limit: int = 0
    ask_limit: int = 0
    gaps: Counter[str] = field(default_factory=Counter)
    processes: int = 0
    process_problems: Counter[str] = field(default_factory=Counter)
    listed: list[tuple[str, str, str]] = field(default_factory=list)
    central_by_rule: Counter[str] = field(default_factory=Counter)
    facility_by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def ready(self) -> int:
        return self.from_record + self.from_legal_limit


NOT_PLACED = "không xác định được đơn vị có thẩm quyền tại Hà Nội / no competent unit in Hà Nội"
ASK_LIMIT = "hồ sơ quốc gia không ghi thời hạn: hỏi khi tiếp nhận / no limit: asked at reception"


def unplaced_cause(gaps: list[str]) -> str:
    """Why no unit: the record names no body, or names one no rule knows (kept short)."""
    for gap in gaps:
        if gap.startswith("executing body not recognised"):
            return f"{NOT_PLACED}: executing body not recognised by any competence rule"
        if gap.startswith("no executing body"):
            return f"{NOT_PLACED}: the national record names no executing body"
    return NOT_PLACED


def outside_by_rule(level: str) -> Counter[str]:
    """National procedures a competence rule takes out of the Hà Nội set, by rule: a central
    agency's (no Hà Nội counter) or a service facility's (received at its own door); catalog-check
    says which rule took them out."""
    prefix = OUTSIDE_BY_RULE[level]
    found: Counter[str] = Counter()
    rows = Procedure.objects.filter(kind=ProcedureKind.STANDARD, level=level, in_hanoi_set=False)
    for gaps in rows.values_list("gaps", flat=True):
        for gap in gaps or []:
            if str(gap).startswith(prefix):
                found[str(gap)[len(prefix) :].strip()] += 1
    return found


def catalog_gaps() -> GapReport:
    report = GapReport()
    with_case_limit = set(
        ProcedureCase.objects.exclude(time_unit=TimeUnit.UNKNOWN).values_list(
            "procedure_id", flat=True
        )
    )
    with_legal_limit = set(
        LegalLimit.objects.filter(superseded_at__isnull=True).values_list("procedure_id", flat=True)
    )
    rows = Procedure.objects.filter(in_hanoi_set=True).values_list(
        "pk", "code", "name", "level", "time_unit", "gaps"
    )
    for pk, code, name, level, time_unit, gaps in rows.order_by("code", "pk"):
        report.total += 1
        if level == CompetenceLevel.UNKNOWN or level in OUTSIDE_ONE_STOP:
            cause = unplaced_cause(gaps or [])
            report.gaps[cause] += 1
            report.listed.append((code, cause, name))
        elif pk in with_case_limit or time_unit != TimeUnit.UNKNOWN:
            report.from_record += 1
        elif pk in with_legal_limit:
            report.from_legal_limit += 1
        else:
            report.ask_limit += 1
            report.listed.append((code, ASK_LIMIT, name))
    report.central_by_rule = outside_by_rule(CompetenceLevel.MINISTRY)
    report.facility_by_rule = outside_by_rule(CompetenceLevel.FACILITY)
    pending = processes_needing_configuration()
    report.processes = pending.count()
    report.process_problems.update(
        problem.split(":")[0] for problem in pending.values_list("problem", flat=True)
    )
    return report


@catalog_cached(size=4_000)
def procedure_row_by_code(code: str) -> Procedure | None:
    """The procedure a code names (Hà Nội's variant first), as the catalog now stands."""
    return Procedure.objects.filter(code=code).order_by("-in_hanoi_set", "pk").first()


def procedure_by_code(code: str) -> Procedure | None:
    """``procedure_row_by_code``, the caller's own copy (the cached row stays as read)."""
    found = procedure_row_by_code(code)
    return copy.copy(found) if found is not None else None


@dataclass(frozen=True)
class StatedFee:
    fee_type: str
    amount_vnd: int | None  # None: "theo quy định", for the officer to ask
    text: str


@catalog_cached(size=4_000)
def stated_fees(procedure_id: int, method: str) -> tuple[StatedFee, ...]:
    """The fees the catalogue states for a procedure's channel (``ChannelMethod``), in order."""
    rows = Fee.objects.filter(channel__procedure_id=procedure_id, channel__method=method)
    return tuple(
        StatedFee(fee_type, amount_vnd, text)
        for fee_type, amount_vnd, text in rows.order_by("pk").values_list(
            "fee_type", "amount_vnd", "text"
        )
    )


def stated_free(procedure_id: int, method: str) -> bool:
    """The catalogue says the channel costs nothing ("Miễn lệ phí": every stated amount is 0).
    A procedure of no stated fee is not free: the national records leave most fees out."""
    fees = stated_fees(procedure_id, method)
    return bool(fees) and all(fee.amount_vnd == 0 for fee in fees)


@catalog_cached(size=2_000)
def unit_row_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def unit_by_code(code: str) -> Unit | None:
    """The unit of that code, as the catalog (units are part of it) now stands; the caller's
    own copy."""
    found = unit_row_by_code(code)
    return copy.copy(found) if found is not None else None
